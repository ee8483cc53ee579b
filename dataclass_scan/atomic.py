"""Write output files so that they are owner-only and never seen half-written.

An output is written to a temporary file next to its destination (created 0600 by
`tempfile.mkstemp`) and renamed over the destination only by `commit()`. A scan that is
interrupted, or a reporter that fails, calls `discard()`: the previous file (or none)
stays, and no stray temporary file. A report that already existed with wider
permissions is replaced by an owner-only one. Devices and pipes (`-o /dev/stdout`, a
FIFO) are written directly.

`live=True` is for streaming formats (JSON Lines), which people tail while the scan
runs: the file is written in place (still owner-only), and completeness is marked by the
format itself (the closing `summary` record), so an interrupted stream reads as partial.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TextIO


class AtomicPrivateFile:
    def __init__(self, path: Path | str, encoding: str = "utf-8", newline: str = "",
                 live: bool = False, errors: str = "strict") -> None:
        self.path = Path(path)
        self._tmp: str | None = None
        if self.path.exists() and not self.path.is_file():
            fd = os.open(self.path, os.O_WRONLY)
        elif live:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)  # O_CREAT keeps the mode of a file that already existed
        else:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial",
                                             dir=str(self.path.parent))
        self.fh: TextIO = os.fdopen(fd, "w", encoding=encoding, newline=newline,
                                    errors=errors)

    def commit(self) -> None:
        """Make the finished file visible under its name."""
        if self.fh.closed:
            return
        self.fh.flush()
        if self._tmp is not None:
            os.fsync(self.fh.fileno())
        self.fh.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.path)
            self._tmp = None

    def discard(self) -> None:
        """Drop an unfinished file: the destination is left as it was (a live stream
        keeps what it wrote, without its closing record)."""
        with contextlib.suppress(OSError):
            self.fh.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None
