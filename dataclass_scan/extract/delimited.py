"""CSV/TSV: one segment per cell, located by row and spreadsheet-style cell; the
column header travels as context."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment

csv.field_size_limit(64 * 1024 * 1024)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def looks_like_header(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and all(
        not any(ch.isdigit() for ch in c) and "@" not in c and len(c) <= 64 for c in cells
    )


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    text = read_text(item, ctx)
    # csv.Sniffer is slow on long samples (seconds for 16 KB of short rows): 50 lines do.
    sample = "\n".join(text[:16384].split("\n", 50)[:50])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if item.name.lower().endswith(".tsv") else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header: list[str] = []
    for row_no, row in enumerate(reader, start=1):
        if row_no == 1 and looks_like_header(row):
            header = [h.strip() for h in row]
        for col, value in enumerate(row):
            if not value.strip():
                continue
            yield Segment(
                text=value,
                location=Location(line=reader.line_num, cell=f"{column_letter(col)}{row_no}"),
                context=header[col] if col < len(header) and row_no > 1 else "",
            )
