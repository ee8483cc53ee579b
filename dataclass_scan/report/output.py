"""Drive one reporter to one destination: standard output or a file created owner-only.

The file is opened on first use, so a configuration error found before the first result
never truncates an existing report. `file()` is meant to be passed as the scan's progress
callback, so streaming formats (jsonl) write each result as it arrives.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from dataclass_scan.atomic import AtomicPrivateFile
from dataclass_scan.model import FileResult, ScanResult
from dataclass_scan.report import Reporter, ReportOptions


def open_private(path: Path | str) -> TextIO:
    """Reports hold masked excerpts and keyed hashes: create them owner-only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # A file name that is not valid UTF-8 reaches us with lone surrogates: write them as
    # `\udcff` (a valid escape inside JSON strings) instead of failing the whole report.
    return os.fdopen(fd, "w", encoding="utf-8", newline="", errors="backslashreplace")


def _stdout() -> TextIO:
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):  # not a TextIOWrapper (tests capture it)
        pass
    return sys.stdout


class ReportSink:
    def __init__(self, reporter_cls: type[Reporter], options: ReportOptions,
                 output: Path | None = None) -> None:
        self._cls = reporter_cls
        self._options = options
        self.output = output
        self._fh: TextIO | None = None
        self._file: AtomicPrivateFile | None = None
        self._rep: Reporter | None = None
        self._complete = False

    def _reporter(self) -> Reporter:
        if self._rep is None:
            if self.output is not None:
                # Written to a temporary file, renamed into place by close() only after
                # end(): an interrupted scan leaves no report that looks complete.
                # Streaming formats write in place and mark completion themselves.
                # Undecodable file names (lone surrogates) are written as `\udcff`, a
                # valid escape inside JSON strings, instead of failing the report.
                self._file = AtomicPrivateFile(
                    self.output, live=bool(getattr(self._cls, "streaming", False)),
                    errors="backslashreplace")
                self._fh = out = self._file.fh
            else:
                out = _stdout()
            self._rep = self._cls(out, self._options)
            self._rep.begin()
        return self._rep

    def file(self, result: FileResult) -> None:
        self._reporter().file(result)

    def end(self, scan: ScanResult) -> None:
        self._reporter().end(scan)
        self._complete = True

    def close(self) -> None:
        if self._file is not None:
            if self._complete:
                self._file.commit()
            else:
                self._file.discard()
            self._file = None
            self._fh = None

    def render(self, scan: ScanResult) -> None:
        """Render a finished scan (no streaming): every file, then the end."""
        try:
            for f in scan.files:
                self.file(f)
            self.end(scan)
        finally:
            self.close()
