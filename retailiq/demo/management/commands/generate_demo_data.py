import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import (
    DEMO_PASSWORD,
    MarketplaceNotEmpty,
    load_marketplace,
    marketplace_row_count,
)
from retailiq.demo.sizes import SIZES


class Command(BaseCommand):
    help = "Generate a believable, seeded demo marketplace and load it into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="demo")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--end-date",
            type=dt.date.fromisoformat,
            default=None,
            help="Last day of order history (YYYY-MM-DD). Default: yesterday.",
        )
        parser.add_argument("--reset", action="store_true", help="Replace marketplace data that is already there.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when marketplace data is already there."
        )

    def handle(self, *args, size: str, seed: int, end_date: dt.date | None, reset: bool, if_empty: bool, **options):
        if if_empty and marketplace_row_count():
            self.stdout.write("Marketplace data is already loaded; leaving it as it is.")
            return
        started = time.perf_counter()
        market = generate_marketplace(size=size, seed=seed, end=end_date)
        generated = time.perf_counter() - started
        try:
            report = load_marketplace(market, reset=reset)
        except MarketplaceNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo marketplace '{size}' (seed {seed}, {market.start} to {market.end}) generated in {generated:.1f}s "
                f"and loaded in {report.seconds:.1f}s: {counts}."
            )
        )
        self.stdout.write(
            f"Demo logins (password '{DEMO_PASSWORD}'): admin, analyst, retailer, retailer2, vendor, vendor2, rep"
        )
