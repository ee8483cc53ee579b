"""Ctrl-C and SIGTERM stop a scan cleanly.

SIGTERM is turned into `Interrupted`, a KeyboardInterrupt, so both signals unwind the
same way: the worker pool kills its workers in its `finally`, a report being written to
a file is discarded (reports are renamed into place only when complete; see atomic.py),
and the CLI exits with 128 + the signal number: 130 for Ctrl-C (SIGINT), 143 for
SIGTERM. Nothing that looks like a finished report is left behind.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """The scan was stopped by a signal other than SIGINT."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """Make SIGTERM unwind like Ctrl-C (main thread of the CLI process only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise)


def exit_code(exc: KeyboardInterrupt) -> int:
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    return 128 + int(signum)


def describe(exc: KeyboardInterrupt) -> str:
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    return signal.Signals(signum).name


def find(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt behind an exit, if any (typer turns KeyboardInterrupt into
    `Exit(130)`, chained, whatever the signal was)."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, KeyboardInterrupt):
            return node
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return None
