"""The directory generation: one stamp (retailiq/core/generations.py) for the platform's reference records, the
shops, products, vendors and warehouses, moved whenever one of them is saved or deleted.

Cached answers show their names and codes, and a caller's scope follows them (a shop's rep, a product's vendor):
an answer cached under this stamp is made again after any such edit, at once, where the expiry alone would show a
renamed shop or a moved product's sales to its former vendor for minutes. Edits to these records are rare beside
the reads, so one stamp for all of them costs little."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from .generations import generation_move, generation_stamp

DIRECTORY_GENERATION = "directory"
DIRECTORY_MODELS = ("retailers.Retailer", "catalog.Product", "catalog.Vendor", "inventory.Warehouse")
DIRECTORY = generation_stamp(DIRECTORY_GENERATION)


def directory_changed(**_) -> None:
    generation_move(DIRECTORY_GENERATION)


def connect_directory_signals() -> None:
    for label in DIRECTORY_MODELS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(directory_changed, sender=model, dispatch_uid=f"directory-{signal is post_save}-{label}")
