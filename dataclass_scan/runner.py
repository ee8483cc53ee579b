"""Drive items through extract -> detect -> classify, one file per task.

`Runner` is the small interface (`run(items) -> Iterator[FileResult]`, in input
order); `SerialRunner` is the in-process implementation and `pool.ProcessRunner` the
local process pool with per-file time and memory limits (`make_runner` picks one from
the config). A distributed engine can take their place: it only has to call
`process_item(item, ctx)` somewhere and give the results back in input order.
`process_item` is a pure function of an item and a `ScanContext`.

Containers (archives, mailboxes, attachments) are extractors that yield child `Item`s
besides `Segment`s; `process_item` scans the children recursively, up to
`config.max_depth`, and returns the container's result followed by its children's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dataclass_scan.classify.declared import declared_label
from dataclass_scan.classify.labels import Destination, LabelPolicy
from dataclass_scan.classify.policy import assess
from dataclass_scan.collect import FindingCollector
from dataclass_scan.config import Config
from dataclass_scan.errors import BinaryFileError, EncryptedError, UnsupportedError
from dataclass_scan.extract import ExtractContext, get_extractor, sniff_format
from dataclass_scan.model import FileResult, Item, Status
from dataclass_scan.redact import redact

if TYPE_CHECKING:
    from dataclass_scan.detect.engine import Engine
    from dataclass_scan.detect.rulepack import RulePack

HASH_CHUNK = 1024 * 1024


@dataclass(slots=True, eq=False)
class ScanContext:
    """What `process_item` needs besides the item. `engine` is built on first use
    (`api.build_context` checks everything that could fail before): a rescan answered
    entirely from the cache never compiles it. A process pool builds it before forking,
    so that workers inherit it."""

    config: Config
    policy: LabelPolicy
    destination: Destination
    packs: tuple[RulePack, ...]
    build_engine: Callable[[], Engine] = field(repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.build_engine()
        return self._engine


class Runner(Protocol):
    def run(self, items: Iterable[Item], ctx: ScanContext) -> Iterator[FileResult]: ...


Resolver = Callable[[Item], "list[FileResult] | None"]


class SerialRunner:
    """Everything in this process, one item after another (`--jobs 1`). The per-file
    time and memory limits need worker processes, so they do not apply here; each
    pattern's own time limit still does."""

    def run(self, items: Iterable[Item], ctx: ScanContext) -> Iterator[FileResult]:
        for _item, results in self.run_items(items, ctx):
            yield from results

    def run_items(
        self, items: Iterable[Item], ctx: ScanContext, resolve: Resolver | None = None
    ) -> Iterator[tuple[Item, list[FileResult]]]:
        for item in items:
            known = resolve(item) if resolve is not None else None
            yield item, known if known is not None else process_item(item, ctx)


def make_runner(config: Config) -> Runner:
    """`--jobs 1`: in-process; otherwise a process pool (default: one worker per core)."""
    from dataclass_scan.pool import Limits, ProcessRunner, default_jobs

    jobs = config.jobs or default_jobs()
    if config.jobs == 1:
        return SerialRunner()
    return ProcessRunner(jobs, Limits(timeout=config.timeout, max_memory=config.max_memory))


def _sha256(item: Item) -> tuple[str, bytes]:
    h = hashlib.sha256()
    head = b""
    with item.open() as fh:
        while chunk := fh.read(HASH_CHUNK):
            if not head:
                head = chunk[:8192]
            h.update(chunk)
    return h.hexdigest(), head


def process_item(item: Item, ctx: ScanContext, depth: int = 0) -> list[FileResult]:
    """The item's own result, then those of any child items it contains."""
    children: list[Item] = []
    result = _process_one(item, ctx, depth, children)
    results = [result]
    for child in children:
        if depth + 1 > ctx.config.max_depth:
            results.append(FileResult(
                path=child.path, format="", status=Status.SKIPPED, size=child.size,
                reasons=(f"nested deeper than --max-depth {ctx.config.max_depth}",),
                source=child.source))
            continue
        results.extend(process_item(child, ctx, depth + 1))
    return results


def _process_one(item: Item, ctx: ScanContext, depth: int, children: list[Item]) -> FileResult:
    if item.error is not None:
        status = Status.ENCRYPTED if item.source.get("status") == "encrypted" else Status.ERROR
        return FileResult(path=item.path, format="", status=status, size=item.size,
                          errors=(item.error,), source=item.source)
    if item.skip_reason is not None:
        return FileResult(path=item.path, format="", status=Status.SKIPPED, size=item.size,
                          reasons=(item.skip_reason,), source=item.source)
    try:
        digest, head = _sha256(item)
    except OSError as exc:
        return FileResult(path=item.path, format="", status=Status.ERROR, size=item.size,
                          errors=(f"cannot read: {exc.strerror or type(exc).__name__}",),
                          source=item.source)
    fmt = sniff_format(item, head)
    base = FileResult(path=item.path, format=fmt, status=Status.SCANNED, size=item.size,
                      sha256=digest, source=item.source)
    if fmt not in _extractable():
        return _replace(base, status=Status.UNSUPPORTED,
                        errors=(f"no extractor for {fmt} content yet",))
    xctx = ExtractContext(max_bytes=ctx.config.max_file_size, depth=depth,
                          config=ctx.config)
    engine = ctx.engine  # built here on first use, outside the per-file error handling
    # The first --max-findings findings, and counts of all: memory stays bounded.
    findings = FindingCollector(ctx.config.max_findings, engine.min_counts,
                                ctx.policy.max_distinct)
    errors: list[str] = []
    try:
        for segment in get_extractor(fmt)(item, xctx):
            if isinstance(segment, Item):
                children.append(segment)
                continue
            res = engine.detect(segment, show_values=ctx.config.show_values,
                                brief=findings.full)
            if segment.keep is not None:  # an overlapping chunk: keep only its own part
                lo, hi = segment.keep
                res.findings = [f for f in res.findings if lo <= f.start < hi]
            findings.add(res.findings)
            errors.extend(res.errors)
    except BinaryFileError as exc:
        return _replace(base, status=Status.SKIPPED, reasons=(str(exc),))
    except EncryptedError as exc:
        return _classified(base, ctx, findings, Status.ENCRYPTED,
                           [*errors, redact(str(exc), ctx.engine)])
    except UnsupportedError as exc:
        return _classified(base, ctx, findings, Status.UNSUPPORTED,
                           [*errors, redact(str(exc), ctx.engine)])
    except MemoryError:
        return _classified(base, ctx, findings, Status.ERROR, [*errors, "out of memory"])
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
        return _classified(base, ctx, findings, Status.ERROR,
                           [*errors, f"{type(exc).__name__}: {redact(str(exc), ctx.engine)}"])
    status = Status.PARTIAL if (xctx.warnings or errors) else Status.SCANNED
    warnings = [redact(w, ctx.engine, numbers=False) for w in xctx.warnings]
    return _classified(base, ctx, findings, status, [*warnings, *errors],
                       metadata=xctx.metadata, item=item)


def _extractable() -> frozenset[str]:
    from dataclass_scan.extract import REGISTRY

    return frozenset(REGISTRY)


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _replace(base: FileResult, **changes: object) -> FileResult:
    import dataclasses

    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _classified(
    base: FileResult, ctx: ScanContext, collected: FindingCollector, status: Status,
    errors: list[str], metadata: dict[str, Any] | None = None, item: Item | None = None,
) -> FileResult:
    if status is not Status.SCANNED and status is not Status.PARTIAL and not collected.total:
        # Unread content is unknown content: no label, no verdict, never "clean".
        return _replace(base, status=status, errors=tuple(errors))
    # Engine.finalize's path allowlist and min_count, from the counts of every finding.
    kept = ctx.engine.kept_rules(base.path, collected.rule_counts)
    findings, omitted = collected.finish(kept)
    declared, notes = declared_label(ctx.policy, base.format, metadata or {}, findings, item,
                                     omitted)
    label, verdict, reasons = assess(ctx.policy, ctx.destination, findings, declared, omitted)
    return _replace(
        base,
        status=status,
        label=label,
        declared_label=declared,
        verdict=verdict,
        reasons=tuple(reasons + notes),
        findings=tuple(findings),
        omitted=omitted,
        errors=tuple(errors),
    )
