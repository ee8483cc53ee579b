"""OpenDocument text, spreadsheet and presentation (.odt, .ods, .odp), read from
`content.xml`: paragraphs and headings (`:paragraph N`), tables and sheets by cell
(`book.ods!Sheet1!B2`, repeated cells expanded), slides (`:slide N`); title, subject,
keywords and user-defined fields from `meta.xml`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any

from dataclass_scan.errors import EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.delimited import column_letter
from dataclass_scan.extract.ooxml import local, parse_part
from dataclass_scan.model import Item, Location, Segment

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_MAX_REPEAT = 1000  # trailing empty cells repeat 16384 times; content rarely repeats


def _text(node: Any) -> str:
    out: list[str] = [node.text or ""]
    for child in node:
        name = local(child.tag)
        if name == "s":
            out.append(" " * int(child.get(f"{{{TEXT}}}c", "1") or 1))
        elif name == "tab":
            out.append("\t")
        elif name == "line-break":
            out.append("\n")
        elif name not in ("note", "annotation"):
            out.append(_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _table(table: Any, sheet: str | None, count: int) -> Iterator[Segment]:
    row_no = 0
    header: dict[int, str] = {}
    for row in table.iter(f"{{{TABLE}}}table-row"):
        repeat_rows = min(int(row.get(f"{{{TABLE}}}number-rows-repeated", "1")), _MAX_REPEAT)
        cells = []
        col = 0
        for cell in row:
            if local(cell.tag) not in ("table-cell", "covered-table-cell"):
                continue
            repeat = min(int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1")), _MAX_REPEAT)
            text = "\n".join(_text(p) for p in cell if local(p.tag) in ("p", "h"))
            for _ in range(repeat):
                if text.strip():
                    cells.append((col, text))
                col += 1
        for _ in range(repeat_rows if cells else 1):
            row_no += 1
            for col, text in cells:
                if row_no == 1:
                    header[col] = text.strip()
                where = f"{column_letter(col)}{row_no}"
                loc = (Location(sheet=sheet, cell=where) if sheet is not None
                       else Location(part=f"table {count}", cell=where))
                yield Segment(text=text, location=loc,
                              context=header.get(col, "") if row_no > 1 else "")
        if not cells:
            row_no += repeat_rows - 1


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    with item.open() as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as exc:
            raise ExtractionError(f"corrupt OpenDocument file: {exc}") from None
        with zf:
            manifest = parse_part(zf, "META-INF/manifest.xml")
            if manifest is not None and any(local(el.tag) == "encryption-data"
                                            for el in manifest.iter()):
                raise EncryptedError("password-protected OpenDocument file")
            yield from _meta(zf, ctx)
            root = parse_part(zf, "content.xml")
            if root is None:
                raise ExtractionError("OpenDocument file without readable content.xml")
            yield from _body(root)


def _meta(zf: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[Segment]:
    root = parse_part(zf, "meta.xml")
    if root is None:
        return
    core: dict[str, str] = {}
    custom: dict[str, str] = {}
    for el in root.iter():
        name = local(el.tag)
        if name == "user-defined":
            custom[el.get(f"{{{META}}}name", "")] = (el.text or "").strip()
        elif name in ("title", "subject", "description", "keyword", "initial-creator",
                      "creator") and el.text and el.text.strip():
            core[name] = el.text.strip()
    ctx.metadata["core_properties"] = core
    ctx.metadata["custom_properties"] = custom
    for key, value in {**core, **custom}.items():
        if value and not key.startswith("MSIP_Label_"):
            yield Segment(text=value, location=Location(part=f"property {key}"), context=key)


def _body(root: Any) -> Iterator[Segment]:
    paragraph = 0
    tables = 0
    stack = [root]
    slide = 0
    spreadsheet = _is_spreadsheet(root)
    while stack:
        node = stack.pop()
        name = local(node.tag)
        if name == "table":
            tables += 1
            sheet = node.get(f"{{{TABLE}}}name") if spreadsheet else None
            yield from _table(node, sheet, tables)
            continue
        if name == "page" and node.tag == f"{{{DRAW}}}page":
            slide += 1
            paragraph = 0
        if name in ("p", "h"):
            text = _text(node)
            if text.strip():
                paragraph += 1
                yield Segment(text=text, location=Location(slide=slide or None,
                                                           paragraph=paragraph))
            notes = 0
            for sub in node.iter():
                kind = local(sub.tag)
                if kind not in ("note-body", "annotation"):
                    continue
                notes += 1
                label = "note" if kind == "note-body" else "comment"
                for n, inner in enumerate((x for x in sub if local(x.tag) in ("p", "h")), 1):
                    inner_text = _text(inner)
                    if inner_text.strip():
                        yield Segment(text=inner_text, location=Location(
                            part=f"{label} {paragraph}.{notes}", paragraph=n))
            continue
        stack.extend(reversed(list(node)))


def _is_spreadsheet(root: Any) -> bool:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    return root.find(f"{{{office}}}body/{{{office}}}spreadsheet") is not None
