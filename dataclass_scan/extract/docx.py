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


# Macro-enabled and template variants that python-docx/python-pptx refuse by content type;
# their XML is the same as the plain document's.
_CONTENT_TYPE_ALIASES = {
    b"application/vnd.ms-word.document.macroEnabled.main+xml":
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml":
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml":
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml":
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}


def _plain_content_types(data: bytes) -> bytes | None:
    """The package with macro/template main content types renamed, or None if unchanged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            types = zf.read("[Content_Types].xml")
            fixed = types
            for old, new in _CONTENT_TYPE_ALIASES.items():
                fixed = fixed.replace(old, new)
            if fixed == types:
                return None
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in zf.infolist():
                    body = fixed if info.filename == "[Content_Types].xml" else zf.read(info)
                    dst.writestr(info.filename, body)
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None


def open_office(item: Item, loader: Any) -> Any:
    """Open an OOXML package, turning encryption and corruption into typed errors."""
    with item.open() as fh:
        data = fh.read()
    if data[:8] == OLE_MAGIC:
        raise EncryptedError("encrypted or legacy Office file (OLE container)")
    try:
        return loader(io.BytesIO(data))
    except ValueError as exc:
        plain = _plain_content_types(data) if "content type" in str(exc) else None
        if plain is not None:
            try:
                return loader(io.BytesIO(plain))
            except (zipfile.BadZipFile, KeyError, ValueError):
                pass
        raise ExtractionError(f"corrupt Office file: {type(exc).__name__}: {exc}") from None
    except (zipfile.BadZipFile, KeyError) as exc:
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


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
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


def _package_parts(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    from dataclass_scan.extract import ooxml

    with item.open() as fh, zipfile.ZipFile(fh) as zf:
        yield from ooxml.package_metadata(zf, ctx)
        # altChunk parts (HTML, plain text or nested documents) and embedded objects.
        yield from ooxml.embedded_items(
            zf, item.path, ("word/embeddings/",), ctx.max_bytes)
        for name in zf.namelist():
            low = name.lower()
            if low.startswith("word/") and low.endswith((".htm", ".html", ".mht", ".xhtml")):
                from dataclass_scan.model import Item as _Item

                data = zf.read(name)
                yield _Item(path=f"{item.path}!{name}", size=len(data), data=data,
                            source={"container": item.path, "format": "html"})
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
