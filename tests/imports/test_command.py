"""`manage.py import_orders` runs the same import from a terminal and prints the summary."""

import pytest
from django.core.management import CommandError, call_command

from retailiq.orders.models import OrderLine

pytestmark = pytest.mark.django_db


def test_the_command_imports_and_prints_what_the_file_held(orders_csv, capsys):
    path = orders_csv(
        """
        SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
        SO-2,2025-03-02 11:00:00,R2,Bala Mart,Delhi,SKU-A,Rice 5 kg,Staples,zero,10.00
        """
    )

    call_command("import_orders", str(path), "--vendor", "Sunrise Foods")

    out = capsys.readouterr().out
    assert "The file holds 2 lines" in out
    assert "1 imported, 1 rejected" in out
    assert OrderLine.objects.count() == 1


def test_the_command_names_what_is_wrong(orders_csv):
    path = orders_csv("SO-1,2025-03-01 09:15:00,R1,Asha,Pune,SKU-A,Rice,Staples,4,10.50")
    with pytest.raises(CommandError, match="vendor"):
        call_command("import_orders", str(path))
    with pytest.raises(CommandError, match="rate that converts one GBP"):
        call_command("import_orders", str(path), "--vendor", "Sunrise Foods", "--currency", "GBP")
    with pytest.raises(CommandError, match="above 0"):
        call_command("import_orders", str(path), "--vendor", "Sunrise Foods", "--currency", "GBP", "--rate", "0")
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        call_command("import_orders", str(path), "--map", "quantity")
