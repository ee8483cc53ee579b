"""Binary kinds recognised by their bytes that no extractor reads (images, executables,
7-Zip/RAR archives, legacy .doc/.ppt): reported `unsupported` with what they are."""

from __future__ import annotations

from collections.abc import Iterator

from dataclass_scan.errors import UnsupportedError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.sniff import BINARY_MAGIC
from dataclass_scan.model import Item, Segment

_OLE_KINDS = {
    "doc": "legacy Word .doc (OLE); save as .docx to scan it",
    "ppt": "legacy PowerPoint .ppt (OLE); save as .pptx to scan it",
    "xlsb": "Excel binary workbook (.xlsb); save as .xlsx to scan it",
    "ole": "OLE compound file of an unknown kind",
}


def describe(item: Item, fmt: str) -> str:
    if fmt in _OLE_KINDS:
        return _OLE_KINDS[fmt]
    with item.open() as fh:
        head = fh.read(512)
    for magic, name in BINARY_MAGIC:
        if head.startswith(magic):
            if name.endswith("image"):
                return f"{name}: no text layer (OCR is not enabled)"
            return name
    if head.startswith(b"MZ"):
        return "Windows executable"
    return "binary data of an unknown kind"


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    raise UnsupportedError(describe(item, "binary"))
    yield  # pragma: no cover - makes this a generator


def extract_ole(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    from dataclass_scan.extract.sniff import _ole_format

    raise UnsupportedError(describe(item, _ole_format(item)))
    yield  # pragma: no cover
