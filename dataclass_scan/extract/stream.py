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

Large CSV/TSV and JSON Lines files stream too, but by their own unit, which is never
split: their extractors read records (a CSV row, however many lines its quoted cells
span; a JSON line) one at a time through `open_text` and `LineReader`, and the runner
detects each segment as it is yielded, so memory holds one record and the file's
findings. A record longer than `LINE_CHARS` is the exception: it is scanned as text by
`chunk_pieces`, with the same overlap rule as above, instead of being parsed.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any, TextIO

from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Location, Segment

STREAM_THRESHOLD = 32 * 1024 * 1024  # bytes; smaller files are read whole
CHUNK_CHARS = 4 * 1024 * 1024
# The longest CSV record or JSON line parsed as such when streaming; a longer one is
# scanned as text in chunks (its JSON or cells would cost several times its size).
LINE_CHARS = 4 * 1024 * 1024
OVERLAP_CHARS = 64 * 1024
_READ_BYTES = 1024 * 1024


def text_chunks(
    item: Item, ctx: ExtractContext, encoding: str, nul_to_space: bool = False,
    chunk_chars: int | None = None, overlap: int | None = None,
) -> Iterator[Segment]:
    """Decode `item` incrementally and yield overlapping chunk segments."""
    with item.open() as fh:
        yield from chunk_pieces(_decoded(fh, ctx, encoding, nul_to_space), 1, 1,
                                chunk_chars, overlap)


def _decoded(fh: IO[bytes], ctx: ExtractContext, encoding: str, nul_to_space: bool
             ) -> Iterator[str]:
    """The text of `fh`, decoded piece by piece, up to `ctx.max_bytes` bytes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    budget = ctx.max_bytes
    eof = False
    while not eof:
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
        yield decoder.decode(raw, final=eof)


def chunk_pieces(
    pieces: Iterable[str], line: int = 1, col: int = 1,
    chunk_chars: int | None = None, overlap: int | None = None,
) -> Iterator[Segment]:
    """Overlapping chunk segments over text that arrives in `pieces`, which starts at
    `line`:`col` of the file (an over-long CSV record or JSON line starts mid-file)."""
    chunk_chars = chunk_chars or CHUNK_CHARS
    overlap = overlap or OVERLAP_CHARS
    half = overlap // 2
    source = iter(pieces)
    buf = ""  # text from absolute character offset `buf_start`
    buf_start = 0
    owned_from = 0  # absolute offset where the next chunk's ownership starts
    eof = False
    while True:
        while not eof and len(buf) < chunk_chars:
            piece = next(source, None)
            if piece is None:
                eof = True
            else:
                buf += piece
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


def open_text(item: Item, ctx: ExtractContext, encoding: str, nul_to_space: bool = False
              ) -> TextIO:
    """`item` as a text stream read incrementally (up to `ctx.max_bytes` bytes), line
    ends kept as they are (`newline=""`), the way csv and `LineReader` want them."""
    raw = _Budgeted(item.open(), ctx, nul_to_space)
    return io.TextIOWrapper(io.BufferedReader(raw, _READ_BYTES), encoding=encoding,
                            errors="replace", newline="")


class _Budgeted(io.RawIOBase):
    """The bytes of a file up to `ctx.max_bytes`, NULs as spaces if asked."""

    def __init__(self, fh: IO[bytes], ctx: ExtractContext, nul_to_space: bool) -> None:
        super().__init__()
        self._fh = fh
        self._ctx = ctx
        self._left = ctx.max_bytes
        self._nul_to_space = nul_to_space

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left < 0:
            return 0
        data = self._fh.read(min(len(buffer), _READ_BYTES, self._left + 1))
        if len(data) > self._left:
            self._ctx.warn(f"only the first {self._ctx.max_bytes} bytes were read")
            data = data[: self._left]
            self._left = -1
        else:
            self._left -= len(data)
        if self._nul_to_space:
            data = data.replace(b"\x00", b" ")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


class LineReader:
    """Physical lines of a text stream with their ends kept: `\\n`, `\\r\\n` or `\\r`
    (universal newlines, the way csv reads a file opened with `newline=""`).

    With a `limit`, no line costs more than `limit` characters of memory: a longer one
    comes back cut after `limit + 1` characters (`over()` says so) and `rest()` goes on
    through the rest of it in pieces, for `chunk_pieces` to scan as text with overlap.
    `number` counts the physical lines read so far.
    """

    def __init__(self, fh: TextIO, limit: int | None = None) -> None:
        self._fh = fh
        self.limit = limit
        self.number = 0
        self._skip_lf = False  # a piece ended in "\r" whose "\n" may come next

    def readline(self) -> str:
        """The next line ('' at the end); if `over(line)`, call `rest(line)` next."""
        line = self._fh.readline() if self.limit is None else self._fh.readline(self.limit + 1)
        if self._skip_lf:
            self._skip_lf = False
            if line == "\n":  # the second half of a "\r\n" cut by the size limit
                return self.readline()
        if line and not self.over(line):
            self.number += 1
        return line

    def over(self, line: str) -> bool:
        return self.limit is not None and len(line) > self.limit

    def rest(self, first: str) -> Iterator[str]:
        """`first`, an over-long line, then the rest of it, piece by piece."""
        assert self.limit is not None
        piece = first
        while piece:
            yield piece
            if piece.endswith("\n"):
                break
            if piece.endswith("\r"):
                self._skip_lf = True
                break
            piece = self._fh.readline(self.limit)
        self.number += 1


def file_encoding(item: Item) -> tuple[str, bool]:
    """`stream_encoding` of the item's first megabyte."""
    with item.open() as fh:
        head = fh.read(1024 * 1024)
    return stream_encoding(head)


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
