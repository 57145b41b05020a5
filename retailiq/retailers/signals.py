"""Moves the shops' generation stamp (retailiq/core/generations.py) whenever a shop is saved or deleted: answers
cached per rep's book (the call list) depend on which shops are assigned to whom, and on their names and towns."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from retailiq.core.generations import generation_move

from .models import Retailer

RETAILERS_GENERATION = "retailers"


@receiver(post_save, sender=Retailer, dispatch_uid="retailers-generation-on-save")
@receiver(post_delete, sender=Retailer, dispatch_uid="retailers-generation-on-delete")
def retailers_changed(**_) -> None:
    generation_move(RETAILERS_GENERATION)
