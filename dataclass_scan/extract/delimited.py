"""CSV/TSV: one segment per cell, located by row and spreadsheet-style cell; the
column header travels as context."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext, stream
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment

csv.field_size_limit(64 * 1024 * 1024)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def looks_like_header(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and all(
        not any(ch.isdigit() for ch in c) and "@" not in c and len(c) <= 64 for c in cells
    )


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    if item.size > stream.STREAM_THRESHOLD:
        # Large: rows read one by one from a decoded stream, so memory holds one record
        # (at most stream.LINE_CHARS characters; a longer one is scanned as text).
        encoding, nul_to_space = stream.file_encoding(item)
        # (A context of its own: a read cut short is reported once, by the scan.)
        with stream.open_text(item, ExtractContext(max_bytes=ctx.max_bytes), encoding,
                              nul_to_space) as fh:
            sample = fh.read(16384)
        with stream.open_text(item, ctx, encoding, nul_to_space) as fh:
            yield from _cells(item, sample, stream.LineReader(fh, stream.LINE_CHARS), ctx)
        return
    text = read_text(item, ctx)
    yield from _cells(item, text[:16384], stream.LineReader(io.StringIO(text, newline="")), ctx)


class _RecordTooLong(Exception):
    """Raised through csv.reader when the record being read passes the line limit."""


class _RecordLines:
    """What csv.reader reads: physical lines, with those of the record in progress
    kept (bounded by the reader's limit) for when it turns out too long."""

    def __init__(self, lines: stream.LineReader) -> None:
        self.lines = lines
        self.pending: list[str] = []
        self.size = 0
        self.first = 1  # the line the record in progress starts on
        self.cut = ""  # the line that made the record too long

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        if not self.size:
            self.first = self.lines.number + 1
        line = self.lines.readline()
        if not line:
            raise StopIteration
        if self.lines.limit is not None:
            self.size += len(line)
            if self.size > self.lines.limit:
                self.cut = line
                raise _RecordTooLong
            self.pending.append(line)
        return line

    def record_done(self) -> None:
        self.pending.clear()
        self.size = 0


def _cells(item: Item, head: str, lines: stream.LineReader, ctx: ExtractContext
           ) -> Iterator[Segment]:
    # csv.Sniffer is slow on long samples (seconds for 16 KB of short rows): 50 lines do.
    sample = "\n".join(head.split("\n", 50)[:50])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if item.name.lower().endswith(".tsv") else csv.excel
    source = _RecordLines(lines)
    header: list[str] = []
    row_no = 0
    while True:
        reader = csv.reader(source, dialect)
        try:
            for row in reader:
                source.record_done()
                row_no += 1
                if row_no == 1 and looks_like_header(row):
                    header = [h.strip() for h in row]
                for col, value in enumerate(row):
                    if not value.strip():
                        continue
                    yield Segment(
                        text=value,
                        # A row is located by the line it ends on (csv's line_num).
                        location=Location(line=lines.number, cell=f"{column_letter(col)}{row_no}"),
                        context=header[col] if col < len(header) and row_no > 1 else "",
                    )
            return
        except _RecordTooLong:
            # A record longer than the limit (a huge cell, or a stray quote that runs
            # on): scanned as text in overlapping chunks, located by line and column, so
            # nothing in it is missed and memory stays bounded. It counts as one row and
            # the rows after it are read as before, by a fresh reader.
            row_no += 1
            yield from stream.chunk_pieces(_long_record(source, dialect), source.first, 1)
            source.record_done()


def _long_record(source: _RecordLines, dialect: type[csv.Dialect] | csv.Dialect
                 ) -> Iterator[str]:
    """The text of a record too long to parse, piece by piece, up to the line it ends
    on (`_RecordEnd` tells which), the reader left at the start of the next."""
    end = _RecordEnd(dialect)
    for line in source.pending:
        end.feed(line)
        end.line_end()
        yield line
    lines = source.lines
    line = source.cut
    while line:
        for piece in lines.rest(line) if lines.over(line) else (line,):
            end.feed(piece)
            yield piece
        if end.line_end():
            return
        line = lines.readline()


# The states of csv's reader (the `_csv` module's parser), by their names there.
(_START_RECORD, _START_FIELD, _ESCAPED_CHAR, _IN_FIELD, _IN_QUOTED_FIELD,
 _ESCAPE_IN_QUOTED_FIELD, _QUOTE_IN_QUOTED_FIELD, _EAT_CRNL, _AFTER_ESCAPED_CRNL) = range(9)
_EOL = object()  # what csv's reader feeds itself at the end of each line it reads
_OTHER = object()  # a run of characters that mean nothing to the parser


class _RecordEnd:
    """Whether a CSV record ends with a line, found without building its fields: the
    reader's state, moved by the characters that can change it (delimiter, quote,
    escape, line breaks, a space under skipinitialspace), a run of any others counting
    as one, since one takes the parser to a state that more of them keep. A record
    ends where csv's would: at a line end the parser meets outside quotes."""

    def __init__(self, dialect: type[csv.Dialect] | csv.Dialect) -> None:
        self.delimiter = dialect.delimiter
        self.quote = dialect.quotechar if dialect.quoting != csv.QUOTE_NONE else None
        self.escape = dialect.escapechar
        self.doublequote = dialect.doublequote
        self.skipspace = dialect.skipinitialspace
        special = {c for c in (self.delimiter, self.quote, self.escape, "\r", "\n") if c}
        if self.skipspace:
            special.add(" ")
        self._special = re.compile("[" + "".join(re.escape(c) for c in sorted(special)) + "]")
        self.state = _START_RECORD

    def feed(self, text: str) -> None:
        pos = 0
        for m in self._special.finditer(text):
            if m.start() > pos:
                self._step(_OTHER)
            self._step(m.group())
            pos = m.end()
        if pos < len(text):
            self._step(_OTHER)

    def line_end(self) -> bool:
        """The line fed so far is over: does the record end with it?"""
        self._step(_EOL)
        return self.state == _START_RECORD

    def _step(self, c: object) -> None:
        state = self.state
        newline = c == "\n" or c == "\r"
        if state == _START_RECORD:
            if c is _EOL:
                return
            if newline:
                self.state = _EAT_CRNL
                return
            state = _START_FIELD
        if state == _START_FIELD:
            if newline or c is _EOL:
                self.state = _START_RECORD if c is _EOL else _EAT_CRNL
            elif c == self.quote:
                self.state = _IN_QUOTED_FIELD
            elif c == self.escape:
                self.state = _ESCAPED_CHAR
            elif (c == " " and self.skipspace) or c == self.delimiter:
                self.state = _START_FIELD
            else:
                self.state = _IN_FIELD
        elif state == _ESCAPED_CHAR:
            self.state = _AFTER_ESCAPED_CRNL if newline else _IN_FIELD
        elif state in (_IN_FIELD, _AFTER_ESCAPED_CRNL):
            if state == _AFTER_ESCAPED_CRNL and c is _EOL:
                return
            if newline or c is _EOL:
                self.state = _START_RECORD if c is _EOL else _EAT_CRNL
            elif c == self.escape:
                self.state = _ESCAPED_CHAR
            elif c == self.delimiter:
                self.state = _START_FIELD
            else:
                self.state = _IN_FIELD
        elif state == _IN_QUOTED_FIELD:
            if c is _EOL:
                return
            if c == self.escape:
                self.state = _ESCAPE_IN_QUOTED_FIELD
            elif c == self.quote:
                self.state = _QUOTE_IN_QUOTED_FIELD if self.doublequote else _IN_FIELD
        elif state == _ESCAPE_IN_QUOTED_FIELD:
            self.state = _IN_QUOTED_FIELD
        elif state == _QUOTE_IN_QUOTED_FIELD:
            if c == self.quote:
                self.state = _IN_QUOTED_FIELD
            elif c == self.delimiter:
                self.state = _START_FIELD
            elif newline or c is _EOL:
                self.state = _START_RECORD if c is _EOL else _EAT_CRNL
            else:
                self.state = _IN_FIELD
        elif state == _EAT_CRNL and c is _EOL:
            self.state = _START_RECORD
