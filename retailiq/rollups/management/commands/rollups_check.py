from django.core.management.base import BaseCommand
from django.db import transaction

from retailiq.rollups.checks import rollups_compare
from retailiq.rollups.services import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Compare the sales rollups with a recomputation from the order lines and lost sales; rebuild those that differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report differences, repair nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        with transaction.atomic():
            differences = rollups_compare()
            broken = [d for d in differences if d.differs]
            for difference in differences:
                if not difference.differs:
                    self.stdout.write(f"{difference.table}: in step")
                    continue
                self.stdout.write(
                    f"{difference.table}: {difference.stale} stale row(s), {difference.missing} missing row(s)"
                )
                for example in difference.examples:
                    self.stdout.write(f"  {example}")
            if broken and not dry_run:
                from django.apps import apps

                models = tuple(
                    m
                    for m in apps.get_app_config("rollups").get_models()
                    if m._meta.db_table in {d.table for d in broken}
                )
                rollups_rebuild(only=models)
                self.stdout.write(f"Repaired {len(broken)} table(s) from the order lines and lost sales.")
        if not broken:
            self.stdout.write("Nothing to repair.")
