"""Plain text in any common encoding (charset-normalizer), with line/column locations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from dataclass_scan.errors import BinaryFileError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Location, Segment

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown encoding; raise BinaryFileError for data that is not text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    if b"\x00" not in data[:8192]:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    padded = _text_with_nuls(data)
    if padded is not None:
        return padded
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1024 * 1024]).best()
    if best is None or best.encoding is None:
        raise BinaryFileError("binary file: not readable as text")
    encoding = best.encoding
    if b"\x00" in data[:8192] and not encoding.startswith(("utf_16", "utf_32")):
        raise BinaryFileError("binary file: not readable as text")
    return data.decode(encoding, errors="replace")


def _text_with_nuls(data: bytes) -> str | None:
    """UTF-8 text with a few NUL bytes (padding in logs, C-string dumps) is still text:
    NULs become spaces, so offsets and values around them survive. Binary formats have
    far more NULs, or bytes that are not UTF-8."""
    sample = data[:65536]
    nuls = sample.count(0)
    if not nuls or nuls * 20 > len(sample):
        return None
    try:
        return data.replace(b"\x00", b" ").decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_upto(fh: IO[bytes], limit: int, size: int) -> bytes:
    """At most `limit` bytes of `fh`, a file of about `size` bytes. `fh.read(limit)`
    would allocate `limit` bytes up front: with `--max-file-size 100GB` every file
    failed as out of memory."""
    data = fh.read(min(limit, size + 1))
    if len(data) <= size or len(data) >= limit:
        return data
    parts = [data]  # the file grew since it was listed: the rest piece by piece
    got = len(data)
    while got < limit and (piece := fh.read(min(limit - got, 16 * 1024 * 1024))):
        parts.append(piece)
        got += len(piece)
    return b"".join(parts)


def read_text(item: Item, ctx: ExtractContext) -> str:
    with item.open() as fh:
        data = read_upto(fh, ctx.max_bytes + 1, item.size)
    if len(data) > ctx.max_bytes:
        ctx.warn(f"only the first {ctx.max_bytes} bytes were read")
        data = data[: ctx.max_bytes]
    return decode_bytes(data)


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    from dataclass_scan.extract import stream

    if item.size > stream.STREAM_THRESHOLD:  # large: overlapping chunks, bounded memory
        encoding, nul_to_space = stream.file_encoding(item)
        yield from stream.text_chunks(item, ctx, encoding, nul_to_space)
        return
    text = read_text(item, ctx)
    yield Segment(text=text, location=Location(line=1), track_lines=True)
