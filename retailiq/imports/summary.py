"""The words an analyst reads after an import: what the file held and what became of
each line. The command prints them; pages lay out the same figures."""

from retailiq.core.money import format_money

from .models import ImportBatch
from .pages import CONTACTS_KEPT_NOTE, exchange_note, maps_contacts

FILE_FIGURES = (("lines", "lines"), ("invoices", "orders"), ("customers", "retailers"), ("skus", "products"))


def batch_summary_lines(batch: ImportBatch) -> list[str]:
    held = batch.summary.get("file", {})
    lines = [f"Import {batch.pk} of {batch.original_name}: {batch.get_state_display()}"]
    if held:
        figures = ", ".join(f"{held[key]:,} {label}" for key, label in FILE_FIGURES if key in held)
        currency = batch.options.get("currency") or ""
        revenue = f"; revenue {format_money(held['revenue'], currency)}" if "revenue" in held else ""
        lines.append(f"The file holds {figures}{revenue}.")
    lines.append(
        f"Lines: {batch.lines_read:,} read, {batch.lines_accepted:,} imported, {batch.lines_rejected:,} rejected, "
        f"{batch.lines_set_aside:,} set aside, {batch.lines_skipped:,} skipped (not products), "
        f"{batch.lines_already_present:,} already imported before."
    )
    imported = batch.summary.get("imported")
    if imported:
        lines.append(
            f"Created {imported['orders']:,} orders ({imported['sale_lines']:,} sale lines worth "
            f"{format_money(imported['sale_revenue'])}, {imported['return_lines']:,} return lines worth "
            f"{format_money(imported['return_revenue'])}), {imported['retailers']:,} retailers, {imported['products']:,} "
            f"products and {imported['vendors']:,} vendors."
        )
    if imported and maps_contacts(batch):
        filled = imported.get("retailer_contacts_filled", 0)
        lines.append(f"Filled the blank contacts of {filled:,} known retailers. {CONTACTS_KEPT_NOTE}")
    if note := exchange_note(batch):
        lines.append(note)
    if batch.summary.get("outcome"):
        lines.append(batch.summary["outcome"])
    if batch.error:
        lines.append(f"Error: {batch.error}")
    if batch.lines_rejected or batch.lines_set_aside:
        lines.append(f"Every rejected or set-aside line is listed on the import's page (import {batch.pk}).")
    return lines
