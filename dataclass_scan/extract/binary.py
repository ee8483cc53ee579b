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


def extract_ole(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    """Legacy kinds are reported; an OLE object wrapping an embedded file (Office's
    `CONTENTS`, `Package` or `\x01Ole10Native` streams) yields that file as a child."""
    from dataclass_scan.extract.sniff import _ole_format

    kind = _ole_format(item) or "ole"
    if kind == "ole":
        children = list(_embedded(item, ctx))
        if children:
            yield from children
            return
    raise UnsupportedError(describe(item, kind))


def _cstr(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\x00", pos)
    return data[pos:end].decode("latin-1"), end + 1


def _ole10native(data: bytes) -> tuple[str, bytes] | None:
    try:
        pos = 6
        label, pos = _cstr(data, pos)
        _, pos = _cstr(data, pos)
        pos += 4
        temp_len = int.from_bytes(data[pos:pos + 4], "little")
        pos += 4 + temp_len
        size = int.from_bytes(data[pos:pos + 4], "little")
        pos += 4
        payload = data[pos:pos + size]
        if len(payload) != size:
            return None
        return label or "embedded.bin", payload
    except (ValueError, IndexError):
        return None


def _embedded(item: Item, ctx: ExtractContext) -> Iterator[Item]:
    import olefile

    with item.open() as fh, olefile.OleFileIO(fh) as ole:
        for name, label in (("CONTENTS", "contents"), ("Package", "package")):
            if ole.exists(name) and ole.get_size(name) <= ctx.max_bytes:
                data = ole.openstream(name).read()
                yield Item(path=f"{item.path}!{label}", size=len(data), data=data,
                           source={"container": item.path, "embedded": True})
        if ole.exists("\x01Ole10Native") and ole.get_size("\x01Ole10Native") <= ctx.max_bytes:
            parsed = _ole10native(ole.openstream("\x01Ole10Native").read())
            if parsed is not None:
                from dataclass_scan.sources.archive import safe_member_name

                yield Item(path=f"{item.path}!{safe_member_name(parsed[0])}",
                           size=len(parsed[1]), data=parsed[1],
                           source={"container": item.path, "embedded": True})
