"""`dataclass-scan explain`: every detection decision for a file (or one location in
it): which rule matched, what each validator said, which context words moved the
confidence, which exclusion, allowlist entry or ignore marker dropped a candidate.

Values are masked unless the caller asks for them; the trace comes from the same
`Engine.detect` code path a scan uses (a tracer is passed in)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dataclass_scan.config import Config
from dataclass_scan.detect import masking
from dataclass_scan.detect.engine import Engine, TraceEvent
from dataclass_scan.model import Location, Status


@dataclass(frozen=True, slots=True)
class Decision:
    rule: str
    type: str
    location: Location
    value: str  # masked unless show_values
    steps: tuple[tuple[str, str, str], ...]  # (step, outcome, detail)

    @property
    def kept(self) -> bool:
        return bool(self.steps) and self.steps[-1][1] == "keep"


@dataclass(frozen=True, slots=True)
class FileExplanation:
    path: str
    format: str
    status: Status
    decisions: tuple[Decision, ...] = ()
    file_steps: tuple[tuple[str, str, str, str], ...] = ()  # (rule, step, outcome, detail)
    errors: tuple[str, ...] = field(default_factory=tuple)


_LINE_RE = re.compile(r"^(?:line\s*)?(\d+)$", re.I)
_CELL_RE = re.compile(r"^(?:(?P<sheet>[^!]+)!)?(?P<cell>[A-Z]{1,3}\d+)$")
_PAGE_RE = re.compile(r"^page\s*(\d+)$", re.I)


def split_target(target: str) -> tuple[str, str | None]:
    """`file.txt:12` -> (file.txt, "12"); `book.xlsx!Sheet1!B7` -> (book.xlsx, Sheet1!B7);
    a path that exists as given is never split."""
    if Path(target).exists():
        return target, None
    for sep in (":", "!"):
        head, _, tail = target.partition(sep)
        if head and tail and Path(head).exists():
            return head, tail
    return target, None


def location_matches(loc: Location, where: str | None) -> bool:
    if where is None:
        return True
    w = where.strip()
    m = _LINE_RE.match(w)
    if m:
        return loc.line == int(m.group(1))
    m = _PAGE_RE.match(w)
    if m:
        return loc.page == int(m.group(1))
    m = _CELL_RE.match(w)
    if m:
        return loc.cell == m.group("cell") and (m.group("sheet") in (None, loc.sheet))
    if w.startswith("/"):
        return loc.part == w
    return w in loc.render()


def explain_paths(
    paths: Sequence[str], config: Config, engine: Engine, *, where: str | None = None,
    show_values: bool = False,
) -> Iterator[FileExplanation]:
    from dataclass_scan.extract.explain import extract_paths

    for x in extract_paths(paths, config):
        decisions: list[Decision] = []
        findings = []
        for seg in x.segments:
            events: list[TraceEvent] = []
            res = engine.detect(seg, show_values=show_values, tracer=events.append)
            findings.extend(res.findings)
            by_span: dict[tuple[str, int, int], list[TraceEvent]] = {}
            for e in events:
                by_span.setdefault((e.rule, e.start, e.end), []).append(e)
            # One newline index per segment: locating each span afresh was quadratic.
            starts = sorted({s for _r, s, _e in by_span})
            locs = dict(zip(starts, seg.locate_all(starts), strict=True))
            for (rule_id, start, end), evs in by_span.items():
                loc = locs[start]
                if not location_matches(loc, where):
                    continue
                rule = next((r for r in engine.rules if r.id == rule_id), None)
                etype = rule.type if rule is not None else ""
                raw = seg.text[start:end]
                value = raw if show_values else masking.mask_value(raw, etype)
                decisions.append(Decision(rule_id, etype, loc, " ".join(value.split()),
                                          tuple((e.step, e.outcome, e.detail) for e in evs)))
        file_events: list[TraceEvent] = []
        engine.finalize(x.path, findings, file_events.append)
        yield FileExplanation(
            x.path, x.format, x.status, tuple(decisions),
            tuple((e.rule, e.step, e.outcome, e.detail) for e in file_events), x.errors)
