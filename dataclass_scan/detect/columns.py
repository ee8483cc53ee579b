"""Column summaries for structured data: in a table (CSV, XLSX, DOCX table) or a JSON
array of records, a column whose cells are mostly one entity type is summarised once,
with a count, instead of as thousands of separate lines.

The JSON report still lists every finding; the console (and HTML) views use
`summarize_findings` to group them. Reporters call it per file.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from dataclass_scan.model import Confidence, Finding, Location

MIN_ROWS = 5  # fewer findings in a column are listed one by one
MIN_SHARE = 0.8  # the column's dominant type must be at least this share of its findings

_CELL_RE = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_INDEX_RE = re.compile(r"/\d+(?=/|$)")


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """Many findings of one type in one column."""

    column: str  # human form: `Sheet1!C`, `column C`, `/customers/*/ssn`
    type: str
    count: int
    distinct: int
    confidence: Confidence  # the highest among them
    first: Location
    last: Location
    excerpt: str  # the first finding's (masked) excerpt
    findings: tuple[Finding, ...]


def column_key(loc: Location) -> str | None:
    """The column a location belongs to, or None when it is not a table cell."""
    if loc.cell:
        m = _CELL_RE.match(loc.cell)
        if m:
            col = m.group(1).upper()
            if loc.sheet:
                return f"{loc.sheet}!{col}"
            prefix = f"table {loc.paragraph}:" if loc.paragraph is not None else ""
            return f"{prefix}column {col}"
    if loc.part and loc.part.startswith("/") and _INDEX_RE.search(loc.part):
        return _INDEX_RE.sub("/*", loc.part)
    return None


def summarize_findings(
    findings: Sequence[Finding], min_rows: int = MIN_ROWS, min_share: float = MIN_SHARE
) -> list[Finding | ColumnSummary]:
    """Findings in their order, with each column that is mostly one type (at least
    `min_rows` findings of it, `min_share` of the column's findings) replaced by one
    ColumnSummary at the position of its first finding."""
    by_column: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        key = column_key(f.location)
        if key is not None:
            by_column[key].append(f)
    summaries: dict[tuple[str, str], ColumnSummary] = {}
    for key, col in by_column.items():
        etype, n = Counter(f.type for f in col).most_common(1)[0]
        if n < min_rows or n / len(col) < min_share:
            continue
        same = [f for f in col if f.type == etype]
        summaries[(key, etype)] = ColumnSummary(
            column=key, type=etype, count=n, distinct=len({f.value_hash for f in same}),
            confidence=max((f.confidence for f in same), key=lambda c: c.rank),
            first=same[0].location, last=same[-1].location, excerpt=same[0].excerpt,
            findings=tuple(same),
        )
    out: list[Finding | ColumnSummary] = []
    emitted: set[tuple[str, str]] = set()
    for f in findings:
        key = column_key(f.location)
        sk = (key, f.type) if key is not None else None
        if sk is not None and sk in summaries:
            if sk not in emitted:
                emitted.add(sk)
                out.append(summaries[sk])
            continue
        out.append(f)
    return out


def describe(summary: ColumnSummary) -> str:
    """`US_SSN x1200 (1200 distinct) in column C, rows 2-1201`."""
    rows = ""
    a, b = summary.first.cell, summary.last.cell
    if a and b:
        ma, mb = _CELL_RE.match(a), _CELL_RE.match(b)
        if ma and mb:
            rows = f", rows {ma.group(2)}-{mb.group(2)}"
    return (f"{summary.type} x{summary.count} ({summary.distinct} distinct) in "
            f"{summary.column}{rows}")
