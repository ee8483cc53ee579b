"""PDF pages read ahead on a second thread (extract/pdf.py `_read_ahead`): the same
segments in the same order as without it, errors raised in the caller, and a caller
that stops early stops the thread before the document is closed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataclass_scan.extract import ExtractContext, pdf
from dataclass_scan.model import Item
from fixtures.builder import write_pdf


def _extract(path: Path) -> Iterator[object]:
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    return pdf.extract(item, ExtractContext(max_bytes=10**8))


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "pdf-read-ahead"]


@pytest.fixture
def long_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "long.pdf"
    pages = [[f"page {n} line {k} SSN 536-22-{8100 + n:04}" for k in range(5)]
             if n % 7 else [] for n in range(1, 61)]  # every seventh page blank
    write_pdf(path, pages)
    return path


def _key(seg: object) -> tuple[object, ...]:
    return (seg.text, seg.location, seg.track_lines)  # type: ignore[attr-defined]


def test_same_segments_with_and_without_read_ahead(long_pdf, monkeypatch):
    ahead = [_key(s) for s in _extract(long_pdf)]
    monkeypatch.setattr(pdf, "READ_AHEAD_PAGES", 10**9)
    plain = [_key(s) for s in _extract(long_pdf)]
    assert ahead == plain
    assert len(plain) == 52 and "page 60 line 4" in plain[-1][0]  # 8 blank pages


def test_stopping_early_stops_the_thread(long_pdf):
    segments = _extract(long_pdf)
    first = next(segments)
    assert "page 1 line 0" in first.text  # type: ignore[attr-defined]
    assert _threads()  # reading ahead now
    segments.close()  # what a failing or interrupted caller does: the document closes
    assert not _threads()


def test_errors_reach_the_caller_and_the_pages_close_on_the_thread():
    closed_on: list[str] = []

    def pages():
        try:
            yield 1, "one", False, None
            raise ValueError("broken")
        finally:
            closed_on.append(threading.current_thread().name)

    out = pdf._read_ahead(pages())
    assert next(out) == (1, "one", False, None)
    with pytest.raises(ValueError, match="broken"):
        next(out)
    assert closed_on == ["pdf-read-ahead"]
    assert not _threads()


def test_a_caller_gone_does_not_leave_the_thread_blocked():
    def pages():
        for n in range(1, 10_000):
            yield n, "x", False, None

    out = pdf._read_ahead(pages())
    assert next(out)[0] == 1
    out.close()  # the queue was full: the thread must still end
    assert not _threads()
