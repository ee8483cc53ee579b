"""XLSX/XLSM with openpyxl in read-only mode: every sheet, hidden ones included, one
segment per non-empty cell located as `Sheet!B7` (formulas give their cached values);
the first row of a sheet travels as column context. Cell comments (`Sheet!B7:comment`)
and core/custom properties are read from the package parts."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.docx import open_office
from dataclass_scan.model import Item, Location, Segment

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = open_office(item, lambda fh: openpyxl.load_workbook(fh, read_only=True, data_only=True))
    cells = 0
    try:
        hidden = []
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                hidden.append(ws.title)
            header: dict[int, str] = {}
            for row, column, value in _cells(ws):
                if value is None or isinstance(value, bool):
                    continue
                text = str(value)
                if not text.strip():
                    continue
                if row == 1:
                    header[column] = text.strip()
                cells += 1
                yield Segment(
                    text=text,
                    location=Location(sheet=ws.title, cell=f"{get_column_letter(column)}{row}"),
                    context=header.get(column, "") if row > 1 else "",
                )
        if hidden:
            ctx.metadata["hidden_sheets"] = hidden
    finally:
        wb.close()
    yield from _package_parts(item, ctx, cells)


def _cells(ws: Any) -> Iterator[tuple[int, int, Any]]:
    """The cells a sheet really stores, as (row, column, value).

    openpyxl's `iter_rows` pads every row to the sheet's declared dimension and yields
    an empty row for every missing row number, so a sheet declaring `A1:XFD1048576`
    (or one cell in row 1048576) makes it walk billions of empty cells. Read the
    worksheet XML's cells directly instead; fall back to `iter_rows` without the
    declared dimension if openpyxl's internals change.
    """
    try:
        from openpyxl.worksheet._reader import WorkSheetParser

        parent = ws.parent
        options = {"data_only": parent.data_only, "epoch": parent.epoch,
                   "date_formats": parent._date_formats,
                   "timedelta_formats": parent._timedelta_formats}
        shared, source = ws._shared_strings, ws._get_source()
    except (ImportError, AttributeError):
        ws.reset_dimensions()
        for cells in ws.iter_rows():
            for cell in cells:
                value = getattr(cell, "value", None)
                if value is not None:
                    yield cell.row, cell.column, value
        return
    with source as src:
        for _idx, row in WorkSheetParser(src, shared, **options).parse():
            for cell in row:
                yield cell["row"], cell["column"], cell["value"]


def _package_parts(item: Item, ctx: ExtractContext, cells: int) -> Iterator[Segment | Item]:
    from dataclass_scan.extract import ooxml

    with item.open() as fh, zipfile.ZipFile(fh) as zf:
        yield from ooxml.package_metadata(zf, ctx)
        if not cells:
            # openpyxl reads no cells from Strict OOXML: fall back to the shared strings.
            yield from ooxml.drawing_text(zf, ("xl/sharedStrings",), "shared strings",
                                          tag="si")
        yield from ooxml.drawing_text(zf, ("xl/drawings/drawing",), "drawing")
        yield from ooxml.embedded_items(zf, item.path, ("xl/embeddings/",), ctx.max_bytes)
        for sheet, comments_part in _comment_parts(zf):
            root = ooxml.parse_part(zf, comments_part)
            if root is None:
                continue
            authors = [a.text or "" for a in root.iter() if ooxml.local(a.tag) == "author"]
            for comment in root.iter():
                if ooxml.local(comment.tag) != "comment":
                    continue
                text = "".join(t.text or "" for t in comment.iter() if ooxml.local(t.tag) == "t")
                if not text.strip():
                    continue
                try:
                    author = authors[int(comment.get("authorId", "-1"))]
                except (ValueError, IndexError):
                    author = ""
                yield Segment(text=text, location=Location(sheet=sheet, cell=comment.get("ref"),
                                                           part="comment"), context=author)


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, target part name) for `part`."""
    from dataclass_scan.extract import ooxml

    base = posixpath.dirname(part)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    root = ooxml.parse_part(zf, rels_name)
    out: dict[str, tuple[str, str]] = {}
    if root is None:
        return out
    for rel in root:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(base, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], full)
    return out


def _comment_parts(zf: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    from dataclass_scan.extract import ooxml

    workbook = ooxml.parse_part(zf, "xl/workbook.xml")
    if workbook is None:
        return
    book_rels = _rels(zf, "xl/workbook.xml")
    for sheet in workbook.iter():
        if ooxml.local(sheet.tag) != "sheet":
            continue
        rel = book_rels.get(sheet.get(_REL, ""))
        if rel is None:
            continue
        for kind, target in _rels(zf, rel[1]).values():
            if kind == "comments":
                yield sheet.get("name", "?"), target
