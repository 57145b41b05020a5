"""Small upload files and the step that stands in for a Celery worker in page and API
tests: the batch is queued by the view, then run here in-process."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from retailiq.imports.models import ImportBatch
from retailiq.imports.services import import_batch_run

HEADER = "order_id,ordered_at,retailer_id,retailer_name,sku,product_name,quantity,unit_price"
# Line 4 (the header is line 1) has a quantity that is not a number.
ORDERS = f"""{HEADER}
SO-1,2025-03-01 09:15:00,R1,Asha Stores,SKU-A,Rice 5 kg,4,10.50
SO-1,2025-03-01 09:15:00,R1,Asha Stores,SKU-B,Tea 1 kg,2,7.25
SO-2,2025-03-02 11:00:00,R2,Bala Mart,SKU-A,Rice 5 kg,=2+3,10.00
SO-3,2025-03-05 16:30:00,R1,Asha Stores,SKU-A,Rice 5 kg,-1,10.50
"""
BAD_LINE = 4


def csv_file(text: str = ORDERS, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def patch_enqueue():
    """Patches the task's delay: a test asserts the enqueue, then runs the batch itself."""
    return mock.patch("retailiq.imports.tasks.run_import.delay")


def run_queued(batch_id: int) -> ImportBatch:
    return import_batch_run(batch_id=batch_id, worker="test")
