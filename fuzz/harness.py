"""One fuzz execution: scan mutated bytes as a file through the real pipeline and judge
the outcome. Shared by tests/hostile/test_fuzz.py (hypothesis, bounded, in CI),
fuzz/run.py (longer random runs) and fuzz/atheris_main.py (coverage-guided).

A *crash* is an exception escaping `process_item` (the runner must turn every problem
in a file into a status). An *untyped failure* is a file whose error is a bare Python
exception from inside an extractor (e.g. `TypeError: ...`) instead of a typed, readable
reason: not a crash, but worth a regression fixture and a clearer message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dataclass_scan.model import FileResult, Item, Status

TYPED_PREFIXES = ("ExtractionError", "EncryptedError", "UnsupportedError", "archive limit",
                  "nested deeper")
_BUILTIN_ERRORS = ("TypeError", "AttributeError", "IndexError", "KeyError", "ValueError",
                   "AssertionError", "UnboundLocalError", "NameError", "ZeroDivisionError",
                   "RecursionError", "OverflowError", "UnicodeDecodeError", "StopIteration")


@dataclass(frozen=True)
class Outcome:
    results: tuple[FileResult, ...]
    untyped: tuple[str, ...]  # exception type names of untyped failures


@functools.lru_cache(maxsize=1)
def context():  # type: ignore[no-untyped-def]
    from dataclass_scan.api import build_context
    from dataclass_scan.config import Config

    return build_context(Config())


class Hang(BaseException):  # not swallowed by the runner's `except Exception`
    """One input ran past the harness's time limit."""


def run_one(name: str, data: bytes, time_limit: float | None = None) -> Outcome:
    """Scan `data` as a file called `name`. Raises only if the pipeline itself crashes
    (or, with `time_limit`, hangs: main thread only, uses SIGALRM)."""
    from dataclass_scan.runner import process_item

    item = Item(path=name, size=len(data), data=data)
    if time_limit is None:
        results = tuple(process_item(item, context()))
    else:
        import signal

        def alarm(_signum: int, _frame: object) -> None:
            raise Hang(f"{name}: still running after {time_limit}s")

        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
        try:
            results = tuple(process_item(item, context()))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    check(results)
    untyped = tuple(
        e.split(":", 1)[0] for r in results for e in r.errors
        if e.split(":", 1)[0] in _BUILTIN_ERRORS)
    return Outcome(results, untyped)


def check(results: tuple[FileResult, ...]) -> None:
    """Invariants every result must keep, however broken its input."""
    assert results, "no result for an input"
    for r in results:
        assert isinstance(r.status, Status)
        if r.status not in (Status.SCANNED,):
            assert r.errors or r.reasons, f"{r.path}: status {r.status.value} without a reason"
        for e in r.errors:
            assert len(e) <= 2000, "unbounded error message"


def mutate(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    """Apply byte-level mutations: flip, truncate, insert, duplicate a slice, zero a run."""
    buf = bytearray(data)
    for op, pos, blob in ops:
        if not buf:
            buf.extend(blob or b"\0")
            continue
        i = pos % len(buf)
        if op == "flip":
            buf[i] ^= (blob[0] if blob else 0xFF) or 1
        elif op == "truncate":
            del buf[i:]
        elif op == "insert":
            buf[i:i] = blob
        elif op == "duplicate":
            buf[i:i] = buf[i : i + 1 + len(blob) * 64]
        elif op == "zero":
            buf[i : i + 1 + len(blob) * 16] = b"\0" * len(buf[i : i + 1 + len(blob) * 16])
    return bytes(buf)


OPS = ("flip", "truncate", "insert", "duplicate", "zero")
