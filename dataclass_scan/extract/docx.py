"""DOCX: body paragraphs, tables (cell coordinates, header row as context), headers and
footers (python-docx); footnotes, endnotes, comments, text boxes and core/custom
properties read from the package parts (see ooxml.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from dataclass_scan.errors import EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.delimited import column_letter
from dataclass_scan.model import Item, Location, Segment

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_office(item: Item, loader: Any) -> Any:
    """Open an OOXML package, turning encryption and corruption into typed errors."""
    with item.open() as fh:
        data = fh.read()
    if data[:8] == OLE_MAGIC:
        raise EncryptedError("encrypted or legacy Office file (OLE container)")
    try:
        return loader(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupt Office file: {type(exc).__name__}: {exc}") from None


def _table_segments(table: Any, part: str) -> Iterator[Segment]:
    header: list[str] = []
    for r, row in enumerate(table.rows, start=1):
        cells = [cell.text for cell in row.cells]
        if r == 1:
            header = [t.strip() for t in cells]
        row_label = cells[0].strip() if cells else ""
        for c, text in enumerate(cells):
            if not text.strip():
                continue
            # Column header and the row's first cell (a "Field | Value" table) are context.
            context = " ".join(
                x for x in (header[c] if r > 1 and c < len(header) else "",
                            row_label if c > 0 else "") if x
            )
            yield Segment(
                text=text, location=Location(part=part, cell=f"{column_letter(c)}{r}"),
                context=context,
            )


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    import docx

    doc = open_office(item, docx.Document)
    yield from _package_parts(item, ctx)
    for number, para in enumerate(doc.paragraphs, start=1):
        if para.text.strip():
            yield Segment(text=para.text, location=Location(paragraph=number))
    for t, table in enumerate(doc.tables, start=1):
        yield from _table_segments(table, f"table {t}")
    for s, section in enumerate(doc.sections, start=1):
        for kind in ("header", "footer", "first_page_header", "first_page_footer",
                     "even_page_header", "even_page_footer"):
            try:
                block = getattr(section, kind)
                if block.is_linked_to_previous and (s > 1 or kind.startswith(("first", "even"))):
                    continue
                paragraphs = block.paragraphs
            except (KeyError, ValueError) as exc:
                ctx.warn(f"section {s} {kind}: {exc}")
                continue
            for number, para in enumerate(paragraphs, start=1):
                if para.text.strip():
                    yield Segment(
                        text=para.text,
                        location=Location(part=f"{kind.replace('_', ' ')} {s}", paragraph=number),
                    )


def _package_parts(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    from dataclass_scan.extract import ooxml

    with item.open() as fh, zipfile.ZipFile(fh) as zf:
        yield from ooxml.package_metadata(zf, ctx)
        w = ooxml.W
        for part, tag, label in (("word/footnotes.xml", "footnote", "footnote"),
                                 ("word/endnotes.xml", "endnote", "endnote"),
                                 ("word/comments.xml", "comment", "comment")):
            root = ooxml.parse_part(zf, part)
            if root is None:
                continue
            for note in root.iter(f"{w}{tag}"):
                if note.get(f"{w}type") in ("separator", "continuationSeparator",
                                            "continuationNotice"):
                    continue
                ident = note.get(f"{w}id", "?")
                author = note.get(f"{w}author", "")
                for number, text in enumerate(ooxml.paragraphs(note), start=1):
                    if text.strip():
                        yield Segment(text=text, location=Location(part=f"{label} {ident}",
                                                                   paragraph=number),
                                      context=author)
        body = ooxml.parse_part(zf, "word/document.xml")
        if body is not None:
            boxes = list(body.iter(f"{w}txbxContent"))
            fallback = {id(b) for fb in body.iter(ooxml.MC_FALLBACK)
                        for b in fb.iter(f"{w}txbxContent")}
            shown = 0
            for box in boxes:
                if id(box) in fallback:
                    continue
                shown += 1
                for number, text in enumerate(ooxml.paragraphs(box), start=1):
                    if text.strip():
                        yield Segment(text=text, location=Location(part=f"text box {shown}",
                                                                   paragraph=number))
