"""Extractors by format: `extract(item, ctx) -> Iterator[Segment | Item]`.

A container format (archive, mailbox, a mail's attachments) yields child `Item`s, with
display paths chained left to right (`outer.zip!inner/file.pdf`); the runner scans them.

The format is decided from the bytes first (magic numbers, zip contents) and the
extension second. A new format is one module plus one line in REGISTRY.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dataclass_scan.model import Item, Segment

REGISTRY: dict[str, str] = {
    "text": "dataclass_scan.extract.text:extract",
    "csv": "dataclass_scan.extract.delimited:extract",
    "json": "dataclass_scan.extract.jsondoc:extract",
    "pdf": "dataclass_scan.extract.pdf:extract",
    "docx": "dataclass_scan.extract.docx:extract",
    "xlsx": "dataclass_scan.extract.xlsx:extract",
}

EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}

ZIP_MARKERS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
)


@dataclass(slots=True)
class ExtractContext:
    """Per-file settings and a place for non-fatal problems (which make a file `partial`)."""

    max_bytes: int
    depth: int = 0
    warnings: list[str] = field(default_factory=list)
    # Document metadata worth keeping (e.g. embedded classification labels), by key.
    metadata: dict[str, Any] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


Extractor = Callable[[Item, ExtractContext], Iterator["Segment | Item"]]
_loaded: dict[str, Extractor] = {}


def get_extractor(fmt: str) -> Extractor:
    if fmt not in _loaded:
        module, _, attr = REGISTRY[fmt].partition(":")
        _loaded[fmt] = getattr(importlib.import_module(module), attr)
    return _loaded[fmt]


def sniff_format(item: Item, head: bytes) -> str:
    """Decide the format from content, then the extension; default is text."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        fmt = _zip_format(item)
        if fmt is not None:
            return fmt
    name = item.name.lower()
    dot = name.rfind(".")
    ext = name[dot:] if dot != -1 else ""
    fmt = EXTENSIONS.get(ext)
    if fmt in ("pdf", "docx", "xlsx"):
        # The extension claims a binary container the bytes are not: read it anyway,
        # so the extractor reports a clear error rather than scanning garbage as text.
        return fmt
    return fmt or "text"


def _zip_format(item: Item) -> str | None:
    try:
        with item.open() as fh, zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    for marker, fmt in ZIP_MARKERS:
        if marker in names:
            return fmt
    return "zip"


def formats() -> list[str]:
    return sorted(REGISTRY)
