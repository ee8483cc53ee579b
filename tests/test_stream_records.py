"""Large CSV/TSV and JSON Lines files stream record by record: the same findings, at the
same rows, cells and lines, as reading them whole; bounded memory for over-long records.

Every test scans one generated file twice, streamed (threshold lowered to 0, reads of a
few dozen bytes so that buffer boundaries fall inside values, multi-byte characters and
`\\r\\n` pairs) and whole (threshold raised), and compares the results.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from dataclass_scan.api import scan
from dataclass_scan.config import Config
from dataclass_scan.extract import ExtractContext, stream
from dataclass_scan.extract.delimited import extract as extract_csv
from dataclass_scan.extract.jsondoc import extract_lines
from dataclass_scan.model import Item
from fixtures.corpus import NAMES, PLANTS, prose


def _key(findings):
    return [(f.rule, f.location, f.value_hash, f.confidence, f.excerpt, f.reasons)
            for f in findings]


def _plant(rng: random.Random) -> str:
    return rng.choice(PLANTS).format(first=rng.choice(NAMES), last=rng.choice(NAMES),
                                     n4=f"{rng.randrange(1000, 9999)}",
                                     n2=rng.randrange(1, 254))


def _scan_both(path: Path, monkeypatch, read_bytes: int = 37, line_chars: int | None = None):
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(stream, "_READ_BYTES", read_bytes)
    if line_chars is not None:
        monkeypatch.setattr(stream, "LINE_CHARS", line_chars)
        monkeypatch.setattr(stream, "CHUNK_CHARS", 4 * line_chars)
        monkeypatch.setattr(stream, "OVERLAP_CHARS", line_chars)
    streamed = scan([str(path)], Config(jobs=1, cache=False)).files[0]
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 10**12)
    whole = scan([str(path)], Config(jobs=1, cache=False)).files[0]
    assert streamed.status == whole.status
    return streamed, whole


def _nothing_lost(streamed, whole, as_text) -> None:
    """Every value found reading whole is found streamed; what streaming finds besides
    comes from the records it scanned as text (a name across two cells, say)."""
    got = Counter((f.rule, f.value_hash) for f in streamed.findings)
    want = Counter((f.rule, f.value_hash) for f in whole.findings)
    assert not want - got
    assert not (got - want) - Counter((f.rule, f.value_hash) for f in streamed.findings
                                      if as_text(f))


def _csv_file(path: Path, seed: int, delimiter: str = ",", terminator: str = "\r\n",
              rows: int = 300, long_cell: int = 0) -> None:
    """Rows with a header, sparse planted values, quoted cells holding line breaks,
    commas and quotes, non-ASCII text; `long_cell` characters of prose with values in
    it, in a few cells."""
    rng = random.Random(seed)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["id", "customer", "contact", "notes", "amount"])
    for i in range(rows):
        notes = prose(rng.randrange(5, 120), seed=seed * 1000 + i, every=60)
        if rng.random() < 0.25:  # a multi-line quoted cell with a value inside
            notes = f'{notes}\n{_plant(rng)}\r\nsaid "ok", Grüße aus 東京\n{_plant(rng)}'
        if long_cell and rng.random() < 0.03:
            notes = prose(long_cell, seed=i, every=long_cell // 7)
        contact = _plant(rng) if rng.random() < 0.3 else ""
        writer.writerow([i, f"{rng.choice(NAMES)} {rng.choice(NAMES)}", contact, notes,
                         f"{rng.randrange(1, 99999)}.{rng.randrange(100):02d}"])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


@pytest.mark.parametrize(("seed", "delimiter", "terminator", "read_bytes"), [
    (1, ",", "\r\n", 37), (2, ";", "\n", 1), (3, "\t", "\r\n", 4096), (4, "|", "\r", 13),
])
def test_streamed_csv_finds_what_the_whole_read_finds(tmp_path, monkeypatch, seed,
                                                      delimiter, terminator, read_bytes):
    path = tmp_path / ("t.tsv" if delimiter == "\t" else "t.csv")
    _csv_file(path, seed, delimiter, terminator)
    streamed, whole = _scan_both(path, monkeypatch, read_bytes=read_bytes)
    assert len(whole.findings) > 50
    # Same rule, cell, row line, column-header context (it raises confidence and
    # appears in the reasons), excerpt: a quoted cell spanning lines is one cell.
    assert _key(streamed.findings) == _key(whole.findings)
    assert any(f.location.cell and f.location.cell.startswith("C") and
               any("context word" in r for r in f.reasons) for f in whole.findings)
    assert (streamed.label, streamed.verdict) == (whole.label, whole.verdict)


def test_csv_in_utf16_with_bom_streams_alike(tmp_path, monkeypatch):
    path = tmp_path / "u16.csv"
    _csv_file(path, 5)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    streamed, whole = _scan_both(path, monkeypatch, read_bytes=7)
    assert whole.findings and _key(streamed.findings) == _key(whole.findings)


def test_csv_records_longer_than_the_limit_are_scanned_as_text(tmp_path, monkeypatch):
    """Cells far longer than the line limit, on one line and across lines: every value
    in them is still found (once), and rows before and after keep their cells."""
    path = tmp_path / "long.csv"
    _csv_file(path, 6, rows=400, long_cell=5000)
    streamed, whole = _scan_both(path, monkeypatch, line_chars=600)
    _nothing_lost(streamed, whole, lambda f: f.location.cell is None)
    as_text = [f for f in streamed.findings if f.location.cell is None]
    assert as_text and all(f.location.line and f.location.column for f in as_text)
    # The long records are 3% of the rows: the cells of all the others are unchanged.
    cells = {(f.rule, f.location, f.value_hash) for f in streamed.findings if f.location.cell}
    in_cells = [f for f in whole.findings if (f.rule, f.location, f.value_hash) in cells]
    assert len(in_cells) == len(cells) > len(whole.findings) // 2


def test_csv_long_record_resumes_at_the_right_row(tmp_path, monkeypatch):
    """A one-line record over the limit counts as one row; the rows after it keep their
    cell references and line numbers."""
    rows = [["name", "email"], ["ann", "ann.lee@example-corp.com"],
            ["blob", "x" * 3000 + " SSN: 536-22-8145 " + "y" * 3000],
            ["bob", "bob.lee@example-corp.com"], ["eve", "536-22-8145 ssn"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "one.csv"
    path.write_text(buf.getvalue(), newline="")
    streamed, whole = _scan_both(path, monkeypatch, line_chars=500)
    assert [(f.rule, f.location.cell, f.location.line) for f in streamed.findings
            if f.location.cell] == [(f.rule, f.location.cell, f.location.line)
                                    for f in whole.findings if f.location.cell != "B3"]
    blob = [f for f in streamed.findings if f.location.cell is None]
    # The SSN comes after `blob,` and "x" * 3000 + " SSN: " on line 3.
    assert [(f.location.line, f.location.column) for f in blob] == [(3, 3012)]


def _jsonl_file(path: Path, seed: int, terminator: str = "\n", lines: int = 400,
                long_line: int = 0) -> None:
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        record = {"id": i, "customer": f"{rng.choice(NAMES)} {rng.choice(NAMES)}",
                  "notes": prose(rng.randrange(5, 200), seed=seed * 1000 + i, every=70),
                  "user": {"email": _plant(rng) if rng.random() < 0.3 else ""}}
        if rng.random() < 0.1:  # a U+2028 or a form feed inside a string is no line break
            record["notes"] += "\u2028 Grüße \u2029 " + _plant(rng)
        if long_line and rng.random() < 0.03:
            record["notes"] = prose(long_line, seed=i, every=long_line // 7)
        line = json.dumps(record, ensure_ascii=False)
        if rng.random() < 0.05:
            line = line[: len(line) // 2] + " " + _plant(rng)  # broken: scanned as text
        out.append(line)
        if rng.random() < 0.05:
            out.append("")
    path.write_text(terminator.join(out) + terminator, encoding="utf-8", newline="")


@pytest.mark.parametrize(("seed", "terminator", "read_bytes"), [
    (1, "\n", 37), (2, "\r\n", 1), (3, "\n", 4096), (4, "\r\n", 11)])
def test_streamed_jsonl_finds_what_the_whole_read_finds(tmp_path, monkeypatch, seed,
                                                        terminator, read_bytes):
    path = tmp_path / "t.jsonl"
    _jsonl_file(path, seed, terminator)
    streamed, whole = _scan_both(path, monkeypatch, read_bytes=read_bytes)
    assert len(whole.findings) > 50
    assert _key(streamed.findings) == _key(whole.findings)
    assert {f.location.part for f in whole.findings} >= {"/user/email", "/notes"}
    assert streamed.errors == whole.errors  # the broken lines, counted alike


def test_jsonl_line_numbers_ignore_unicode_line_separators(tmp_path):
    """`str.splitlines` also breaks at U+2028, form feeds and others, which JSON strings
    may hold: the record after such a line was numbered wrong and the line itself was
    scanned as two broken halves."""
    path = tmp_path / "sep.jsonl"
    path.write_text('{"note": "a\u2028b"}\n{"email": "ann.lee@example-corp.com"}\n',
                    encoding="utf-8")
    result = scan([str(path)], Config(jobs=1, cache=False)).files[0]
    assert not result.errors
    assert [(f.location.line, f.location.part) for f in result.findings] == [(2, "/email")]


def test_jsonl_lines_longer_than_the_limit_are_scanned_as_text(tmp_path, monkeypatch):
    path = tmp_path / "long.jsonl"
    _jsonl_file(path, 7, lines=500, long_line=5000)
    streamed, whole = _scan_both(path, monkeypatch, line_chars=600)
    _nothing_lost(streamed, whole, lambda f: f.location.part is None)
    as_text = {f.location.line for f in streamed.findings if f.location.part is None}
    long_lines = {i for i, line in enumerate(path.read_text().split("\n"), 1)
                  if len(line) > 600}
    assert long_lines and as_text >= long_lines
    parsed = [f for f in streamed.findings if f.location.line not in long_lines]
    assert _key(parsed) == _key([f for f in whole.findings
                                 if f.location.line not in long_lines])


def test_line_reader_splits_as_csv_does_whatever_the_limit(tmp_path):
    text = "a\r\nbb\rccc\n\r\n" + "d" * 50 + "\r\n" + "e" * 9 + "\r\r\nf"
    expected = io.StringIO(text, newline="").readlines()
    for limit in (None, *range(1, 60)):
        lines = stream.LineReader(io.StringIO(text, newline=""), limit)
        got: list[str] = []
        while line := lines.readline():
            got.append("".join(lines.rest(line)) if lines.over(line) else line)
            assert lines.number == len(got)
        # A "\r\n" that the limit cuts in two is one line end (the "\n" is dropped).
        assert [g.rstrip("\r\n") for g in got] == [e.rstrip("\r\n") for e in expected]


class _Counting(io.BytesIO):
    """A file that remembers how far it has been read."""

    opened: list[_Counting] = []

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        _Counting.opened.append(self)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_extractors_read_as_they_yield(tmp_path, monkeypatch, kind):
    """The first cells come out when a sliver of the file has been read: the rows are
    parsed from the stream as it is read, not from a copy of the whole file."""
    path = tmp_path / f"t.{kind}"
    if kind == "csv":
        _csv_file(path, 8, rows=1000)
    else:
        _jsonl_file(path, 8, lines=600)
    data = path.read_bytes()
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(stream, "_READ_BYTES", 256)
    monkeypatch.setattr(Item, "open", lambda self: _Counting(data))
    _Counting.opened = []
    item = Item(path=str(path), size=len(data), fs_path=str(path))
    extract = extract_csv if kind == "csv" else extract_lines
    segments = extract(item, ExtractContext(max_bytes=10**9))
    for _ in range(20):
        next(segments)
    assert len(data) > 50_000 and _Counting.opened[-1].tell() < 10_000
    assert sum(1 for _ in segments) > 500


@pytest.mark.parametrize("dialect", [
    {}, {"delimiter": ";", "quotechar": "'"}, {"doublequote": False, "escapechar": "\\"},
    {"skipinitialspace": True}, {"escapechar": "\\"},
    {"quoting": csv.QUOTE_NONE, "escapechar": "\\"},
])
def test_record_end_agrees_with_csv(dialect):
    """Where a record too long to parse ends is decided as csv's reader decides it."""
    from dataclass_scan.extract.delimited import _RecordEnd

    rng = random.Random(str(dialect))
    alphabet = ['"', "'", ",", ";", "\\", " ", "a", "bc", "\n", "\r\n", "\r"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40)))
        lines = io.StringIO(text, newline="").readlines()
        reader = csv.reader(iter(lines), **dialect)
        expected = [reader.line_num for _ in reader]
        ends = _RecordEnd(reader.dialect)
        got = []
        for number, line in enumerate(lines, start=1):
            ends.feed(line)
            if ends.line_end():
                got.append(number)
                ends = _RecordEnd(reader.dialect)
        if ends.state != 0:  # csv returns the last record at the end of the data
            got.append(len(lines))
        assert got == expected, (text, dialect)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_streamed_records_respect_max_bytes(tmp_path, monkeypatch, kind):
    path = tmp_path / f"t.{kind}"
    if kind == "csv":
        path.write_text("name,note\n" + "ann,lorem ipsum\n" * 300 + "eve,SSN: 536-22-8145\n")
    else:
        path.write_text('{"note": "lorem ipsum"}\n' * 300 + '{"ssn": "536-22-8145"}\n')
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 0)
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    xctx = ExtractContext(max_bytes=3000)
    segments = list((extract_csv if kind == "csv" else extract_lines)(item, xctx))
    assert segments and not any("536" in s.text for s in segments)
    assert xctx.warnings == ["only the first 3000 bytes were read"]


def test_a_huge_max_file_size_still_reads_files(tmp_path):
    """Whole-file reads allocated --max-file-size bytes up front: with 100GB every file
    came back as `out of memory`."""
    from dataclass_scan.extract.text import read_upto

    for name, body in (("a.txt", "SSN: 536-22-8145\n"), ("b.csv", "ssn\n536-22-8145\n"),
                       ("c.jsonl", '{"ssn": "536-22-8145"}\n')):
        path = tmp_path / name
        path.write_text(body)
        result = scan([str(path)], Config(jobs=1, cache=False,
                                          max_file_size=100 * 1024**4)).files[0]
        assert result.status.value == "scanned" and result.findings, name
    data = b"0123456789" * 10
    assert read_upto(io.BytesIO(data), 10**15, 40) == data  # grown since it was listed
    assert read_upto(io.BytesIO(data), 30, 100) == data[:30]
    assert read_upto(io.BytesIO(data), 10**15, 100) == data
