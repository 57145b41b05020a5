"""Counts over the whole file, kept as the reader goes: what an analyst checks an
import against (lines, invoices, customers, SKUs, revenue), and how the lines split
between sales, returns, skipped, set-aside and rejected ones."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .lines import CLASS_NAMES, ChunkResult


@dataclass
class FileTotals:
    """`revenue` is file quantity x unit price summed over every line where both parse
    (cancellations, non-products and customerless lines included), so it matches the
    file's own total; the per-class revenues add up to it (returns count negative)."""

    lines: int = 0
    invoices: set[str] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)
    skus: set[str] = field(default_factory=set)
    revenue: float = 0.0
    sale_lines: int = 0
    return_lines: int = 0
    sale_revenue: float = 0.0
    return_revenue: float = 0.0
    skipped_lines: int = 0
    skipped_revenue: float = 0.0
    set_aside_lines: int = 0
    set_aside_revenue: float = 0.0
    error_lines: int = 0
    error_revenue: float = 0.0

    def add(self, result: ChunkResult) -> None:
        """Fold one chunk in."""
        self.lines += len(result.line_class)
        self.invoices.update(result.invoices)
        self.customers.update(result.customers)
        self.skus.update(result.skus)
        revenue = np.where(np.isnan(result.revenue), 0.0, result.revenue)
        self.revenue += float(revenue.sum())
        counts = np.bincount(result.line_class, minlength=len(CLASS_NAMES))
        sums = np.bincount(result.line_class, weights=revenue, minlength=len(CLASS_NAMES))
        for index, name in enumerate(CLASS_NAMES):
            setattr(self, f"{name}_lines", getattr(self, f"{name}_lines") + int(counts[index]))
            setattr(self, f"{name}_revenue", getattr(self, f"{name}_revenue") + float(sums[index]))

    def as_summary(self) -> dict[str, Any]:
        """JSON-able: sets become their sizes, money is rounded to cents."""
        summary: dict[str, Any] = {
            "lines": self.lines,
            "invoices": len(self.invoices),
            "customers": len(self.customers),
            "skus": len(self.skus),
            "revenue": round(self.revenue, 2),
        }
        for name in CLASS_NAMES:
            summary[f"{name}_lines"] = getattr(self, f"{name}_lines")
            summary[f"{name}_revenue"] = round(getattr(self, f"{name}_revenue"), 2)
        return summary
