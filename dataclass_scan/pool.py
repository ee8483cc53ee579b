"""The local process pool behind the `Runner` interface, with per-file limits.

`ProcessRunner(jobs, limits)` keeps `jobs` worker processes, sends each one item at a
time over its own pipe and yields results in input order (a bounded look-ahead window
keeps every worker busy while results are re-ordered). A worker that is still busy with
one item after `limits.timeout` seconds, or whose resident memory grows past
`limits.max_memory` bytes, is killed and replaced: the item is reported with status
`timeout` (or `error`, reason `too-large: ...`) and the scan goes on. A worker that dies
(segfault, killed by the system) is replaced the same way.

Workers get the `Config`, not compiled objects, and build their own `ScanContext` once;
where the platform forks, they inherit the parent's already-built context instead.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataclass_scan.config import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT
from dataclass_scan.model import FileResult, Item, Status

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Resolver = Callable[[Item], "list[FileResult] | None"]

_POLL = 0.05  # seconds between limit checks while waiting
_WINDOW_PER_JOB = 32  # items dispatched or waiting to be yielded, per worker


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-item limits (a container counts as one item); 0 turns a limit off."""

    timeout: float = DEFAULT_TIMEOUT
    max_memory: int = DEFAULT_MAX_MEMORY


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# Set in the parent just before workers start; a forked worker inherits it.
_PARENT_CTX: Any = None


def _worker_main(conn: Connection, config: Any, max_memory: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if max_memory:
        _cap_address_space(max_memory)
    from dataclass_scan.runner import process_item

    ctx = _PARENT_CTX
    if ctx is None or ctx.config != config:
        from dataclass_scan.api import build_context

        ctx = build_context(config)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        seq, item = msg
        try:
            results = process_item(item, ctx)
        except MemoryError:
            results = [_failed(item, Status.ERROR, _too_large(max_memory))]
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
            results = [_failed(item, Status.ERROR, f"internal error: {type(exc).__name__}")]
        try:
            conn.send((seq, results))
        except (OSError, ValueError):
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send((seq, [_failed(item, Status.ERROR,
                                     f"internal error: {type(exc).__name__}")]))


def _cap_address_space(max_memory: int) -> None:
    """Backstop for allocations faster than the parent's polling: cap virtual memory at
    what the worker maps now plus the ceiling, so a runaway allocation raises MemoryError."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            vm_pages = int(fh.read().split()[0])
        current = vm_pages * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = current + 2 * max_memory
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the parent's resident-memory check still applies


def _rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _failed(item: Item, status: Status, message: str) -> FileResult:
    return FileResult(path=item.path, format="", status=status, size=item.size,
                      errors=(message,), source=item.source)


def _too_large(max_memory: int) -> str:
    return (f"too-large: scanning it needed more than {format_size(max_memory)} of memory "
            "(--max-memory)")


def format_size(n: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if n >= factor:
            return f"{n / factor:.3g}{unit}"
    return f"{n}B"


class _Worker:
    __slots__ = ("proc", "conn", "seq", "item", "started", "checked")

    def __init__(self, mp: Any, config: Any, max_memory: int) -> None:
        parent_end, child_end = mp.Pipe(duplex=True)
        self.proc = mp.Process(target=_worker_main, args=(child_end, config, max_memory),
                               daemon=True)
        self.proc.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.seq: int | None = None
        self.item: Item | None = None
        self.started = 0.0
        self.checked = 0.0

    def send(self, seq: int, item: Item) -> None:
        self.seq, self.item = seq, item
        self.started = self.checked = time.monotonic()
        self.conn.send((seq, item))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.proc.kill()
        self.proc.join(timeout=None if kill else 2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class ProcessRunner:
    """Scan items in `jobs` worker processes; results come back in input order."""

    def __init__(self, jobs: int | None = None, limits: Limits | None = None,
                 start_method: str | None = None) -> None:
        self.jobs = jobs or default_jobs()
        self.limits = limits or Limits()
        self._start_method = start_method
        self._mp_context: Any = None

    @property
    def _mp(self) -> Any:
        # multiprocessing is imported when the first worker starts: a rescan answered
        # from the cache starts none.
        if self._mp_context is None:
            import multiprocessing

            start_method = self._start_method
            if start_method is None:
                methods = multiprocessing.get_all_start_methods()
                start_method = "fork" if "fork" in methods and sys.platform != "darwin" else None
            self._mp_context = multiprocessing.get_context(start_method)
        return self._mp_context

    def run(self, items: Iterable[Item], ctx: Any) -> Iterator[FileResult]:
        for _item, results in self.run_items(items, ctx):
            yield from results

    def run_items(
        self, items: Iterable[Item], ctx: Any, resolve: Resolver | None = None
    ) -> Iterator[tuple[Item, list[FileResult]]]:
        """Each input item with its results (the item's own, then any children's).

        `resolve(item)` may answer an item in the parent without a worker (a cache hit).
        """
        from dataclass_scan.runner import process_item

        global _PARENT_CTX
        limits = self.limits
        source = iter(items)
        window = self.jobs * _WINDOW_PER_JOB
        pending: list[tuple[int, Item]] = []  # read from the source, not yet dispatched
        done: dict[int, tuple[Item, list[FileResult]]] = {}
        next_out = 0  # next sequence number to yield
        next_in = 0  # next sequence number to read
        exhausted = False
        workers: list[_Worker] = []
        _PARENT_CTX = ctx
        try:
            while True:
                # Read ahead, but never further than the window past the oldest unfinished.
                while not exhausted and next_in - next_out < window and len(pending) < self.jobs:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    known = resolve(item) if resolve is not None else None
                    if known is not None:
                        done[next_in] = (item, known)
                    elif item.skip_reason is not None or item.error is not None:
                        done[next_in] = (item, process_item(item, ctx))  # nothing to run
                    else:
                        pending.append((next_in, item))
                    next_in += 1
                idle = [w for w in workers if w.seq is None]
                while pending and (idle or len(workers) < self.jobs):
                    if idle:
                        worker = idle.pop()
                    else:
                        # Workers start only once a file needs scanning (not on a rescan
                        # answered from the cache). The engine is built here, once, so
                        # that forked workers inherit it, and so that a rule error stops
                        # the scan as it would have at start-up.
                        _ = ctx.engine
                        worker = _Worker(self._mp, ctx.config, limits.max_memory)
                        workers.append(worker)
                    seq, item = pending.pop(0)
                    try:
                        worker.send(seq, item)
                    except (OSError, ValueError):
                        done[seq] = (item, [_failed(item, Status.ERROR,
                                                    "internal error: worker unavailable")])
                        workers.remove(worker)
                        worker.stop(kill=True)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                busy = [w for w in workers if w.seq is not None]
                if not busy:
                    if exhausted and not pending:
                        break
                    continue
                from multiprocessing.connection import wait  # loaded with the workers

                ready = wait([w.conn for w in busy], timeout=_POLL)
                for w in busy:
                    if w.conn in ready:
                        self._receive(w, workers, done)
                self._enforce_limits(workers, done)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        finally:
            _PARENT_CTX = None
            for w in workers:
                w.stop(kill=w.seq is not None)

    def _receive(self, w: _Worker, workers: list[_Worker],
                 done: dict[int, tuple[Item, list[FileResult]]]) -> None:
        assert w.seq is not None and w.item is not None
        try:
            seq, results = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(timeout=1)
            code = w.proc.exitcode
            if code is not None and code < 0 and -code == signal.SIGKILL:
                # Killed from outside, most often by the system's out-of-memory killer.
                message = "too-large: worker killed by the system (out of memory?)"
            else:
                message = f"worker process died (exit code {code})"
            done[w.seq] = (w.item, [_failed(w.item, Status.ERROR, message)])
            workers.remove(w)
            w.stop(kill=True)
            return
        done[seq] = (w.item, results)
        w.seq = w.item = None

    def _enforce_limits(self, workers: list[_Worker],
                        done: dict[int, tuple[Item, list[FileResult]]]) -> None:
        now = time.monotonic()
        for w in list(workers):
            if w.seq is None or w.item is None:
                continue
            reason: tuple[Status, str] | None = None
            if self.limits.timeout and now - w.started > self.limits.timeout:
                reason = (Status.TIMEOUT,
                          f"timed out after {self.limits.timeout:g}s (--timeout)")
            elif self.limits.max_memory and now - w.checked >= _POLL:
                w.checked = now
                rss = _rss(w.proc.pid) if w.proc.pid is not None else None
                if rss is not None and rss > self.limits.max_memory:
                    reason = (Status.ERROR, _too_large(self.limits.max_memory))
            if reason is not None:
                done[w.seq] = (w.item, [_failed(w.item, *reason)])
                workers.remove(w)
                w.stop(kill=True)
