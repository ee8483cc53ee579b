"""Large text read in overlapping chunks, so memory stays bounded whatever the file size.

Each chunk is a `Segment` whose `keep` range says which findings it owns: those that
start in its middle part. Neighbouring chunks overlap by `overlap` characters and the
boundary between owners sits in the middle of the overlap, so every finding is decided
by a chunk that holds at least `overlap / 2` characters on either side of where it
starts: a value straddling a boundary is seen whole, look-arounds and context keywords
see what they would see in the whole text, and nothing is reported twice. (A match
longer than `overlap / 2`, or a context window wider, could differ: both are far below
the defaults, 32 KB against rule windows of at most 1,000 characters.)

Chunks end at a line break where one is near, so locations stay `line N:col M`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Location, Segment

STREAM_THRESHOLD = 32 * 1024 * 1024  # bytes; smaller files are read whole
CHUNK_CHARS = 4 * 1024 * 1024
OVERLAP_CHARS = 64 * 1024
_READ_BYTES = 1024 * 1024


def text_chunks(
    item: Item, ctx: ExtractContext, encoding: str, nul_to_space: bool = False,
    chunk_chars: int | None = None, overlap: int | None = None,
) -> Iterator[Segment]:
    """Decode `item` incrementally and yield overlapping chunk segments."""
    chunk_chars = chunk_chars or CHUNK_CHARS
    overlap = overlap or OVERLAP_CHARS
    half = overlap // 2
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    budget = ctx.max_bytes
    buf = ""  # text from absolute character offset `buf_start`
    buf_start = 0
    line = 1  # line number at buf_start
    col = 1  # column at buf_start
    owned_from = 0  # absolute offset where the next chunk's ownership starts
    eof = False
    with item.open() as fh:
        while True:
            while not eof and len(buf) < chunk_chars:
                raw = fh.read(min(_READ_BYTES, budget + 1))
                if len(raw) > budget:
                    ctx.warn(f"only the first {ctx.max_bytes} bytes were read")
                    raw = raw[:budget]
                    eof = True
                budget -= len(raw)
                if not raw:
                    eof = True
                if nul_to_space:
                    raw = raw.replace(b"\x00", b" ")
                buf += decoder.decode(raw, final=eof)
            if eof:
                end = len(buf)
            else:
                end = _cut(buf, chunk_chars)
            text = buf[:end]
            keep_lo = owned_from - buf_start
            keep_hi = len(text) if eof else max(keep_lo, end - half)
            yield Segment(text=text, location=Location(line=line, column=col),
                          track_lines=True, keep=(keep_lo, keep_hi))
            if eof:
                return
            # The next chunk starts `overlap` before this one's end, at a line start if
            # one is close, and owns findings from this chunk's keep_hi on.
            nxt = max(keep_lo + 1, end - overlap)
            nl = buf.rfind("\n", max(keep_lo + 1, nxt - overlap // 2), nxt)
            if nl != -1:
                nxt = nl + 1
            consumed = buf[:nxt]
            newlines = consumed.count("\n")
            if newlines:
                line += newlines
                col = nxt - consumed.rfind("\n")
            else:
                col += nxt
            owned_from = buf_start + keep_hi
            buf = buf[nxt:]
            buf_start += nxt


def stream_encoding(head: bytes) -> tuple[str, bool]:
    """The encoding to stream a large file with, decided from its first megabyte the way
    `text.decode_bytes` decides for a whole file; and whether NULs become spaces."""
    from dataclass_scan.errors import BinaryFileError
    from dataclass_scan.extract.text import _text_with_nuls

    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
    ):
        if head.startswith(bom):
            return enc, False
    if b"\x00" not in head[:8192]:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8", False
        except UnicodeDecodeError:
            pass
    if _text_with_nuls(head) is not None:
        return "utf-8", True
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise BinaryFileError("binary file: not readable as text")
    if b"\x00" in head[:8192] and not best.encoding.startswith(("utf_16", "utf_32")):
        raise BinaryFileError("binary file: not readable as text")
    return best.encoding, False


def _cut(buf: str, limit: int) -> int:
    """Where to end a chunk: the last line break in its final eighth, else `limit`."""
    nl = buf.rfind("\n", limit - limit // 8, limit)
    return nl + 1 if nl != -1 else limit
