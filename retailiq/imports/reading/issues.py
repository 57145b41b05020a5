"""Recording why a line was not staged: at most one issue per line, the first one
flagged, with the file's own column name, the cell as the file had it, and (for lines
someone must look at again) the whole line."""

import numpy as np
import pandas as pd

from .cells import Column

ISSUE_COLUMNS = ("line_number", "column", "value", "reason", "severity", "row")
# What an issue keeps of a cell: enough to recognise it, never a megabyte stored twice.
MAX_STORED_CHARS = 1000
SEVERITY_BY_CLASS = {2: "skipped", 3: "set_aside", 4: "error"}
KEEP_ROW = ("set_aside", "error")


class IssueLog:
    """Collects flagged lines in groups (one per check), so the cost is per failing
    line, not per line of the chunk. Class 0 (sale) is what an unflagged line keeps."""

    def __init__(self, *, n: int, header: list[str], cells: list[np.ndarray]) -> None:
        self.header = header
        self.cells = cells
        self.flagged = np.zeros(n, dtype=bool)
        self.classes = np.zeros(n, dtype=np.int8)
        self.groups: list[tuple[np.ndarray, np.ndarray, int, np.ndarray, int]] = []

    def flag(self, mask: np.ndarray, reasons: str | np.ndarray, position: int, column: Column, line_class: int) -> None:
        """Flag the lines in `mask` not flagged before. `reasons` is one text, or one per
        distinct cell of `column`; the issue's value is the line's cell in `column`."""
        new = mask & ~self.flagged
        if not new.any():
            return
        rows = np.flatnonzero(new)
        codes = column.codes[rows]
        per_row = np.full(len(rows), reasons, dtype=object) if isinstance(reasons, str) else reasons[codes]
        self._add(rows, per_row, position, column.raw[codes], line_class)

    def flag_lines(
        self, rows: np.ndarray, reasons: np.ndarray, position: int, values: np.ndarray, line_class: int
    ) -> None:
        """Flag lines by index, with a reason and value each; position -1 is the whole line."""
        fresh = ~self.flagged[rows]
        if fresh.any():
            self._add(rows[fresh], reasons[fresh], position, values[fresh], line_class)

    def _add(self, rows: np.ndarray, reasons: np.ndarray, position: int, values: np.ndarray, line_class: int) -> None:
        self.flagged[rows] = True
        self.classes[rows] = line_class
        self.groups.append((rows, reasons, position, _truncated(values), line_class))

    def line_class(self) -> np.ndarray:
        return self.classes.copy()

    def frame(self, line_numbers: np.ndarray) -> pd.DataFrame:
        """The issues as a DataFrame in line order (columns as ISSUE_COLUMNS)."""
        if not self.groups:
            return empty_issues()
        parts = []
        for rows, reasons, position, values, line_class in self.groups:
            severity = SEVERITY_BY_CLASS[line_class]
            part = pd.DataFrame(
                {
                    "line_number": line_numbers[rows],
                    "column": self.header[position] if position >= 0 else "",
                    "value": values,
                    "reason": reasons,
                    "severity": severity,
                    "row": self._rows(rows) if severity in KEEP_ROW else None,
                }
            )
            parts.append(part)
        issues = pd.concat(parts, ignore_index=True)
        issues = issues.sort_values("line_number", kind="stable", ignore_index=True)
        return issues.astype({"line_number": np.int64})

    def _rows(self, rows: np.ndarray) -> list[dict[str, str]]:
        columns = [cells[rows] for cells in self.cells[: len(self.header)]]
        columns = [_truncated(column) for column in columns]
        return [dict(zip(self.header, values, strict=True)) for values in zip(*columns, strict=True)]


def _truncated(values: np.ndarray) -> np.ndarray:
    """Cells longer than MAX_STORED_CHARS cut there, with '…' to say so; almost always none."""
    if max(map(len, map(str, values)), default=0) <= MAX_STORED_CHARS:
        return values
    return np.array(
        [v if len(str(v)) <= MAX_STORED_CHARS else str(v)[:MAX_STORED_CHARS] + "…" for v in values], dtype=object
    )


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_number": pd.Series(dtype=np.int64),
            "column": pd.Series(dtype=object),
            "value": pd.Series(dtype=object),
            "reason": pd.Series(dtype=object),
            "severity": pd.Series(dtype=object),
            "row": pd.Series(dtype=object),
        }
    )
