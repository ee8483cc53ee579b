"""The gate after a scan: baseline suppression, repository manifest, `--fail-closed` and
`--require-classification`, applied to a finished `ScanResult`.

Labels and verdicts are recomputed for a file whose findings a baseline suppresses, so a
known, accepted finding no longer blocks an upload while a new one still does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dataclass_scan.classify.baseline import Baseline, entry_for, norm_path
from dataclass_scan.classify.labels import LabelPolicy
from dataclass_scan.classify.policy import assess, fail_closed
from dataclass_scan.errors import ConfigError
from dataclass_scan.model import FileResult, ScanResult, Status


@dataclass(frozen=True, slots=True)
class Manifest:
    """Repository manifest: globs (gitignore syntax, relative to `base`) -> declared label.
    Like CODEOWNERS, the last matching line wins."""

    entries: tuple[tuple[str, str], ...]
    base: str

    def label_for(self, path: str) -> str | None:
        outer = path.partition("!")[0]
        p = Path(outer)
        if not p.is_absolute():
            p = Path.cwd() / p
        try:
            rel = p.resolve().relative_to(Path(self.base).resolve()).as_posix()
        except ValueError:
            return None
        found = None
        for glob, label in self.entries:
            if _spec(glob).match_file(rel):
                found = label
        return found

    def relative(self, path: str) -> str:
        outer = path.partition("!")[0]
        p = Path(outer)
        if not p.is_absolute():
            p = Path.cwd() / p
        try:
            return p.resolve().relative_to(Path(self.base).resolve()).as_posix()
        except ValueError:
            return outer


@lru_cache(maxsize=512)
def _spec(glob: str):  # type: ignore[no-untyped-def]
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([glob])


def load_manifest(section: object, base: Path, policy: LabelPolicy, where: str) -> Manifest:
    if not isinstance(section, Mapping):
        raise ConfigError(f"{where}: [manifest] must map globs to labels")
    entries = []
    for glob, label in section.items():
        if label not in policy.labels:
            raise ConfigError(f"{where}: [manifest] {glob!r}: {label!r} is not one of "
                              f"{', '.join(policy.labels)}")
        entries.append((str(glob), str(label)))
    return Manifest(entries=tuple(entries), base=str(base))


@dataclass(frozen=True, slots=True)
class ClassificationProblem:
    path: str
    label: str
    declared: str | None
    fix: str  # the manifest line that would cover the file

    def message(self) -> str:
        if self.declared is None:
            return (f"{self.path}: {self.label} content, no declared label; add under "
                    f"[manifest]: {self.fix}")
        return (f"{self.path}: {self.label} content above its declared label {self.declared}; "
                f"remove the data, or declare it under [manifest]: {self.fix}")


@dataclass(frozen=True, slots=True)
class GateOptions:
    baseline: Baseline | None = None
    manifest: Manifest | None = None
    fail_closed: bool = False
    require_classification: bool = False


@dataclass(frozen=True, slots=True)
class GateOutcome:
    result: ScanResult
    suppressed: int = 0
    expired: int = 0
    problems: tuple[ClassificationProblem, ...] = ()


class Gate:
    """Applies the gate file by file as results stream in (`file`), so streaming reporters
    see gated results, then totals up (`finish`)."""

    def __init__(self, policy: LabelPolicy, options: GateOptions,
                 destination: str | None = None) -> None:
        self.policy = policy
        self.options = options
        name = destination or policy.default_destination
        if name not in policy.destinations:
            raise ConfigError(f"unknown destination {name!r}; known: "
                              f"{', '.join(sorted(policy.destinations))}")
        self.destination = policy.destinations[name]
        self._index = options.baseline.index() if options.baseline is not None else {}
        self._base = options.baseline.base if options.baseline is not None else None
        # Paths the baseline holds entries for: a file there with findings beyond
        # --max-findings is judged on them all, matched or not (see _apply).
        self._paths = {key[0] for key in self._index}
        self._own = (Path(options.baseline.path).resolve()
                     if options.baseline is not None and options.baseline.path else None)
        self.suppressed = 0
        self.expired = 0
        self.problems: list[ClassificationProblem] = []
        self._done: dict[int, tuple[FileResult, FileResult]] = {}

    def file(self, f: FileResult) -> FileResult:
        done = self._done.get(id(f))
        if done is not None and done[0] is f:
            return done[1]
        out = self._apply(f)
        self._done[id(f)] = (f, out)
        return out

    def _apply(self, f: FileResult) -> FileResult:
        policy, options = self.policy, self.options
        if self._own is not None and "!" not in f.path and Path(f.path).resolve() == self._own:
            # The baseline itself holds only keyed hashes: not data to gate.
            return dataclasses.replace(f, status=Status.SKIPPED, findings=(), omitted=(),
                                       label=None, verdict=None,
                                       reasons=("the baseline in use",), errors=())
        findings = f.findings
        note: tuple[str, ...] = ()
        if self._index and findings:
            kept = []
            for x in findings:
                entry = self._index.get(entry_for(f, x, self._base).key)
                if entry is not None and entry.suppresses():
                    self.suppressed += 1
                    continue
                if entry is not None and entry.expired():
                    self.expired += 1
                kept.append(x)
            findings = tuple(kept)
        if f.omitted and self._paths and norm_path(f.path, self._base) in self._paths:
            # Findings not listed (--max-findings) carry no value hash here, so the
            # baseline cannot suppress them: they still count, which may keep the label
            # above what an uncapped scan with this baseline gives. Say so.
            note = (f"{f.findings_omitted} finding(s) beyond --max-findings were not "
                    "matched against the baseline and still count (--max-findings 0 "
                    "matches them all)",)
        declared = f.declared_label
        if declared is None and options.manifest is not None:
            declared = options.manifest.label_for(f.path)
        if f.label is not None and (findings != f.findings or declared != f.declared_label):
            label, verdict, reasons = assess(policy, self.destination, findings, declared,
                                             f.omitted)
            f = dataclasses.replace(f, findings=findings, label=label, verdict=verdict,
                                    reasons=(*reasons, *note), declared_label=declared)
        elif declared != f.declared_label or note:
            f = dataclasses.replace(f, declared_label=declared, reasons=(*f.reasons, *note))
        if options.fail_closed:
            f = fail_closed((f,))[0]
        if options.require_classification and f.label is not None:
            problem = _classification_problem(f, policy, options.manifest)
            if problem is not None:
                self.problems.append(problem)
        return f

    def finish(self, result: ScanResult) -> GateOutcome:
        files = tuple(self.file(f) for f in result.files)
        return GateOutcome(
            result=dataclasses.replace(result, files=files,
                                       suppressed=result.suppressed + self.suppressed),
            suppressed=self.suppressed, expired=self.expired, problems=tuple(self.problems))


def apply_gate(result: ScanResult, policy: LabelPolicy, options: GateOptions) -> GateOutcome:
    """The gate over a finished scan (no streaming)."""
    return Gate(policy, options, result.meta.destination).finish(result)


def _classification_problem(f: FileResult, policy: LabelPolicy,
                            manifest: Manifest | None) -> ClassificationProblem | None:
    assert f.label is not None
    if policy.rank(f.label) <= policy.rank(policy.default):
        return None
    declared = f.declared_label
    if declared is not None and policy.rank(f.label) <= policy.rank(declared):
        return None
    rel = manifest.relative(f.path) if manifest is not None else f.path.partition("!")[0]
    fix = f'"{rel}" = "{f.label}"'
    return ClassificationProblem(path=f.path, label=f.label, declared=declared, fix=fix)
