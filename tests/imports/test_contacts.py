"""Retailer contacts in an import: mapped by name, checked (line and column named), written to new retailers,
and filling only the blank contacts of retailers known before. Runs on PostgreSQL (COPY into staging) and on
SQLite (row inserts) alike: `make test` runs it on both."""

import pytest

from retailiq.imports.models import ImportIssue, ImportState
from retailiq.imports.reading import propose_mapping
from retailiq.imports.reading.contacts import invalid_emails, invalid_phones
from retailiq.imports.services import import_file
from retailiq.imports.summary import batch_summary_lines
from retailiq.retailers.models import Retailer
from tests import factories as f

HEADER = "order_id,ordered_at,retailer_id,retailer_name,Contact Person,Phone,E-mail,sku,quantity,unit_price"
VENDOR = {"default_vendor": "Sunrise Foods"}


def test_contact_columns_are_proposed_by_their_usual_names():
    proposed = propose_mapping(["Invoice", "Customer ID", "Owner Name", "Mobile No", "Email Address"], [])
    assert (proposed["retailer_contact_name"], proposed["retailer_phone"], proposed["retailer_email"]) == (
        "Owner Name",
        "Mobile No",  # starts with the synonym "mobile"
        "Email Address",
    )
    proposed = propose_mapping(HEADER.split(","), [])
    assert (proposed["retailer_contact_name"], proposed["retailer_phone"], proposed["retailer_email"]) == (
        "Contact Person",
        "Phone",
        "E-mail",
    )


@pytest.mark.parametrize(
    ("phone", "bad"),
    [
        ("+91 98220 12345", False),
        ("(020) 2612-3456", False),
        ("0712.254.1234", False),
        ("", False),
        ("12345", True),  # too few digits to dial
        ("+91 98220 12345 67890", True),  # more than E.164's 15
        ("9.8220E+09", True),  # a spreadsheet's number format
        ("call after 5", True),
        ("++919822012345", True),
    ],
)
def test_phone_check(phone, bad):
    assert invalid_phones([phone]).tolist() == [bad]


@pytest.mark.parametrize(
    ("email", "bad"),
    [
        ("ravi@sharmakirana.in", False),
        ("first.last+orders@mail.example.co.uk", False),
        ("", False),
        ("ravi@", True),
        ("ravi at sharmakirana.in", True),
        ("a@b@c.in", True),
        ("ravi@localhost", True),
        ("ravi@shop.in, anita@shop.in", True),
    ],
)
def test_email_check(email, bad):
    assert invalid_emails([email]).tolist() == [bad]


@pytest.mark.django_db
def test_contacts_fill_new_retailers_and_only_the_blanks_of_known_ones(orders_csv):
    f.RetailerFactory(code="R1", contact_name="Set By Rep", contact_phone="", contact_email="")
    f.RetailerFactory(code="R2", contact_name="", contact_phone="+91 90000 00002", contact_email="kept@shop.in")
    path = orders_csv(
        """
        SO-1,2025-03-01 09:15:00,R1,Asha Stores,From File,+91 98220 12345,asha@stores.in,SKU-A,4,10.50
        SO-2,2025-03-02 11:00:00,R2,Bala Mart,Bala,0712 111 2222,new@bala.in,SKU-A,2,10.00
        SO-3,2025-03-03 10:00:00,R3,Chandra Stores,Chandra Rao,(020) 2612-3456,chandra@stores.in,SKU-A,1,10.00
        SO-4,2025-03-04 10:00:00,R4,Devi Kirana,,,,SKU-A,1,10.00
        """,
        header=HEADER,
    )

    batch = import_file(path=path, options=VENDOR)

    assert batch.state == ImportState.SUCCEEDED, batch.error
    assert list(ImportIssue.objects.filter(batch=batch)) == []
    contacts = {
        r.code: (r.contact_name, r.contact_phone, r.contact_email)
        for r in Retailer.objects.filter(code__in=["R1", "R2", "R3", "R4"])
    }
    assert contacts == {
        "R1": ("Set By Rep", "+91 98220 12345", "asha@stores.in"),  # the rep's name kept, blanks filled
        "R2": ("Bala", "+91 90000 00002", "kept@shop.in"),  # only the blank name filled
        "R3": ("Chandra Rao", "(020) 2612-3456", "chandra@stores.in"),  # new: all from the file
        "R4": ("", "", ""),  # new, with empty cells: no contact
    }
    assert batch.summary["imported"]["retailer_contacts_filled"] == 2
    summary = " ".join(batch_summary_lines(batch))
    assert "Filled the blank contacts of 2 known retailers" in summary and "already set is kept" in summary


@pytest.mark.django_db
def test_a_bad_phone_or_email_is_the_line_error_naming_line_and_column(orders_csv):
    path = orders_csv(
        """
        SO-1,2025-03-01 09:15:00,R1,Asha Stores,Asha,98220,asha@stores.in,SKU-A,4,10.50
        SO-2,2025-03-02 11:00:00,R2,Bala Mart,Bala,+91 98220 12345,bala at mart.in,SKU-A,2,10.00
        SO-3,2025-03-03 10:00:00,R3,Chandra Stores,Chandra,+91 98220 54321,chandra@stores.in,SKU-A,1,10.00
        """,
        header=HEADER,
    )

    batch = import_file(path=path, options=VENDOR)

    assert batch.state == ImportState.SUCCEEDED, batch.error
    issues = {i.line_number: (i.column, i.value, i.reason) for i in ImportIssue.objects.filter(batch=batch)}
    assert issues[2][:2] == ("Phone", "98220") and issues[2][2].startswith("not a phone number")
    assert issues[3][:2] == ("E-mail", "bala at mart.in") and issues[3][2].startswith("not an email address")
    assert (batch.lines_accepted, batch.lines_rejected) == (1, 2)
    assert Retailer.objects.get(code="R3").contact_phone == "+91 98220 54321"
    assert not Retailer.objects.filter(code__in=["R1", "R2"]).exists()
