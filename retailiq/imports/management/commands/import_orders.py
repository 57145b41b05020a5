"""Import an orders CSV from a terminal: the same service the upload page uses, run in
this process with a progress bar, ending with the summary."""

import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from retailiq.imports.models import ImportBatch, ImportMode, ImportState
from retailiq.imports.reading import PRESETS
from retailiq.imports.services import ImportRejected, import_file
from retailiq.imports.summary import batch_summary_lines


class Command(BaseCommand):
    help = "Import an orders CSV (plain or .gz) as one recorded, undoable batch."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--preset", choices=sorted(PRESETS), default="", help="A known file layout.")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.QUARANTINE)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Map a RetailIQ field to a column of the file, e.g. --map quantity=Qty (repeatable).",
        )
        parser.add_argument("--vendor", default="", help="The vendor of products when the file names none.")
        parser.add_argument("--no-create-retailers", action="store_true", help="Reject lines of unknown retailers.")
        parser.add_argument("--no-create-products", action="store_true", help="Reject lines of unknown products.")
        parser.add_argument(
            "--currency",
            default="",
            help="The currency of the file's prices (ISO code); the preset's or the marketplace's.",
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=None,
            help="The rate: one unit of --currency in the marketplace's. Required when the file's currency "
            "(the preset's or --currency) is not the marketplace's; none is ever assumed.",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options):
        mapping = {}
        for pair in options["map"]:
            field, sep, column = pair.partition("=")
            if not sep:
                raise CommandError(f"--map {pair}: write FIELD=COLUMN")
            mapping[field.strip()] = column.strip() or None
        policy = {
            "auto_create_retailers": not options["no_create_retailers"],
            "auto_create_products": not options["no_create_products"],
        }
        if options["vendor"]:
            policy["default_vendor"] = options["vendor"]
        if options["currency"]:
            policy["currency"] = options["currency"]
        if options["rate"] is not None:
            policy["exchange_rate"] = options["rate"]
        bar = tqdm(total=0, unit="B", unit_scale=True, desc="reading", disable=options["json"])

        def progress(batch: ImportBatch) -> None:
            bar.total = batch.size_bytes
            bar.set_description(batch.stage or batch.state)
            bar.set_postfix(lines=f"{batch.lines_read:,}", rejected=f"{batch.lines_rejected:,}", refresh=False)
            bar.update(max(0, batch.bytes_read - bar.n) if batch.stage == "reading" else 0)

        try:
            batch = import_file(
                path=options["file"],
                preset=options["preset"],
                mapping=mapping or None,
                options=policy,
                mode=options["mode"],
                progress=progress,
            )
        except ImportRejected as exc:
            bar.close()
            raise CommandError(exc.message) from exc
        bar.close()
        if options["json"]:
            self.stdout.write(json.dumps({"id": batch.pk, "state": batch.state, "summary": batch.summary}, indent=2))
        else:
            for line in batch_summary_lines(batch):
                self.stdout.write(line)
        if batch.state != ImportState.SUCCEEDED:
            raise CommandError(batch.error or f"Import {batch.pk} ended {batch.get_state_display().lower()}.")
