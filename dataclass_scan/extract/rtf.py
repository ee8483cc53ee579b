"""RTF: the document text (striprtf), located by line of the converted text."""

from __future__ import annotations

from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    from striprtf.striprtf import rtf_to_text

    source = read_text(item, ctx)
    text = rtf_to_text(source, errors="replace")
    if text.strip():
        yield Segment(text=text, location=Location(line=1), track_lines=True)
