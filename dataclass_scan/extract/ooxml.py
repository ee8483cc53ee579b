"""Shared reading of OOXML packages (DOCX, XLSX, PPTX) straight from the zip: core and
custom properties (with MIP label keys), the part list, and paragraph text of parts that
python-docx does not expose (footnotes, endnotes, comments, text boxes).

XML is parsed with defusedxml: entity declarations are refused."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any

from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Location, Segment

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_MAX_PART = 64 * 1024 * 1024

# Core properties worth scanning as text (people type names, notes and markings here).
_CORE_TEXT = ("title", "subject", "creator", "keywords", "description", "lastModifiedBy",
              "category", "contentStatus")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_part(zf: zipfile.ZipFile, name: str) -> Any | None:
    """The parsed root element of a part, or None when absent or unreadable."""
    from defusedxml import ElementTree

    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        return None
    try:
        return ElementTree.fromstring(zf.read(info))
    except Exception:  # noqa: BLE001 - a broken optional part must not lose the document
        return None


def package_metadata(zf: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[Segment]:
    """Fill ctx.metadata (ooxml_parts, core_properties, custom_properties, label_info) and
    yield the text-bearing properties as segments located `:property NAME`."""
    names = zf.namelist()
    ctx.metadata["ooxml_parts"] = names
    core: dict[str, str] = {}
    root = parse_part(zf, "docProps/core.xml")
    if root is not None:
        for child in root:
            if child.text and child.text.strip():
                core[local(child.tag)] = child.text.strip()
    ctx.metadata["core_properties"] = core
    custom: dict[str, str] = {}
    root = parse_part(zf, "docProps/custom.xml")
    if root is not None:
        for prop in root:
            name = prop.get("name")
            if not name:
                continue
            value = "".join(prop.itertext()).strip()
            custom[name] = value
    ctx.metadata["custom_properties"] = custom
    if "docMetadata/LabelInfo.xml" in names:
        try:
            info = zf.getinfo("docMetadata/LabelInfo.xml")
            if info.file_size <= _MAX_PART:
                ctx.metadata["label_info"] = zf.read(info).decode("utf-8", "replace")
        except (KeyError, OSError, zipfile.BadZipFile):
            pass
    for key in _CORE_TEXT:
        if key in core:
            yield Segment(text=core[key], location=Location(part=f"property {key}"), context=key)
    for key, value in custom.items():
        if value and not key.startswith("MSIP_Label_"):
            yield Segment(text=value, location=Location(part=f"property {key}"), context=key)


def paragraphs(element: Any) -> Iterator[str]:
    """Text of each w:p under `element`, skipping VML fallbacks (duplicated text boxes)."""
    stack = [element]
    while stack:
        node = stack.pop()
        if node.tag == MC_FALLBACK:
            continue
        if node.tag == f"{W}p":
            parts: list[str] = []
            for el in node.iter():
                if el.tag == f"{W}t" and el.text:
                    parts.append(el.text)
                elif el.tag == f"{W}tab":
                    parts.append("\t")
                elif el.tag in (f"{W}br", f"{W}cr"):
                    parts.append("\n")
            yield "".join(parts)
            continue
        stack.extend(reversed(list(node)))


A_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def drawing_text(zf: zipfile.ZipFile, prefixes: tuple[str, ...], label: str,
                 tag: str = "p") -> Iterator[Segment]:
    """Text of the elements named `tag` (any namespace; `a:p` paragraphs by default) in
    parts under `prefixes` (drawings, SmartArt data, comments, shared strings), one
    segment per element, located `:{label} N:paragraph M`."""
    names = sorted(n for n in zf.namelist() if n.startswith(prefixes) and n.endswith(".xml")
                   and "/_rels/" not in n)
    for number, name in enumerate(names, start=1):
        root = parse_part(zf, name)
        if root is None:
            continue
        count = 0
        for para in (el for el in root.iter() if local(el.tag) == tag):
            text = "".join(t.text or "" for t in para.iter() if local(t.tag) == "t")
            if text.strip():
                count += 1
                yield Segment(text=text, location=Location(part=f"{label} {number}",
                                                           paragraph=count))


def embedded_items(zf: zipfile.ZipFile, item_path: str, prefixes: tuple[str, ...],
                   max_bytes: int) -> Iterator[Any]:
    """Embedded files (OLE objects, packages) as child items `doc.pptx!ppt/embeddings/x`."""
    from dataclass_scan.model import Item

    for info in zf.infolist():
        if not info.filename.startswith(prefixes) or info.is_dir():
            continue
        if info.file_size > max_bytes:
            yield Item(path=f"{item_path}!{info.filename}", size=info.file_size,
                       skip_reason="embedded object larger than the size limit")
            continue
        try:
            data = zf.read(info)
        except Exception:  # noqa: BLE001 - a broken embedding must not lose the document
            continue
        yield Item(path=f"{item_path}!{info.filename}", size=len(data), data=data,
                   source={"container": item_path, "embedded": True})
