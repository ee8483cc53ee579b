"""Baselines: findings already known (and human decisions about them), so a scan with
`--baseline FILE` reports only what is new.

An entry is keyed by (path, rule, keyed value hash): no plaintext and no line numbers, so
edits elsewhere in a file do not invalidate it. The file is JSON with one entry per line,
sorted, so that merges rarely conflict. Decisions (`false-positive`, `accepted-risk`,
`must-fix`) carry the reviewer, the reason and the time; an entry may expire.

Value hashes are keyed with the per-installation secret: a baseline only matches on an
installation with the same secret (share `secret.key` through `DATACLASS_SCAN_HOME` in
CI). The file records a fingerprint of the key so a mismatch is an error, not silence.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from dataclass_scan.errors import ConfigError
from dataclass_scan.keys import value_hash
from dataclass_scan.model import FileResult, Finding

BASELINE_SCHEMA = "dataclass-scan/baseline/v1"
DEFAULT_BASELINE = ".dataclass-baseline.json"


class Decision(str, Enum):
    FALSE_POSITIVE = "false-positive"
    ACCEPTED_RISK = "accepted-risk"
    MUST_FIX = "must-fix"


SUPPRESSING = frozenset({None, Decision.FALSE_POSITIVE, Decision.ACCEPTED_RISK})


def key_fingerprint() -> str:
    """Identifies the installation secret without revealing anything about it."""
    return value_hash("BASELINE_KEY_ID", "dataclass-scan")[: len("hmac-sha256:") + 16]


def norm_path(path: str, base: Path | None = None) -> str:
    """A display path in a stable form: relative to `base` (the baseline file's folder;
    default the current folder) when under it, forward slashes, no `./` or `..`;
    container members keep their `!` chain. So a baseline matches wherever the scan runs."""
    outer, bang, inner = path.partition("!")
    cwd = Path.cwd()
    p = Path(os.path.normpath(Path(outer) if Path(outer).is_absolute() else cwd / outer))
    root = Path(os.path.normpath(base if base is not None and base.is_absolute()
                                 else cwd / (base or ".")))
    try:
        text = p.relative_to(root).as_posix()
    except ValueError:
        text = p.as_posix()
    return text + bang + inner


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    rule: str
    value_hash: str
    type: str = ""
    decision: Decision | None = None
    reviewer: str | None = None
    reason: str | None = None
    decided: str | None = None
    expires: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.rule, self.value_hash)

    @property
    def id(self) -> str:
        """Short handle for people and scripts: the value hash's first 12 hex digits."""
        return self.value_hash.rpartition(":")[2][:12]

    def expired(self, today: _dt.date | None = None) -> bool:
        if not self.expires:
            return False
        return (today or _dt.date.today()) > _dt.date.fromisoformat(self.expires)

    def suppresses(self, today: _dt.date | None = None) -> bool:
        return self.decision in SUPPRESSING and not self.expired(today)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "rule": self.rule, "type": self.type,
                               "value_hash": self.value_hash}
        for k in ("decision", "reviewer", "reason", "decided", "expires"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v.value if isinstance(v, Decision) else v
        return out


def entry_for(result: FileResult, finding: Finding, base: Path | None = None) -> Entry:
    return Entry(path=norm_path(result.path, base), rule=finding.rule,
                 value_hash=finding.value_hash, type=finding.type)


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[Entry, ...] = ()
    key_id: str = ""
    path: str = ""

    @property
    def base(self) -> Path | None:
        """Entry paths are relative to the baseline file's folder."""
        return Path(self.path).parent if self.path else None

    def index(self) -> dict[tuple[str, str, str], Entry]:
        return {e.key: e for e in self.entries}

    def merged(self, new: Iterable[Entry]) -> Baseline:
        """Add entries not yet present; existing entries (and decisions) are kept."""
        idx = self.index()
        for e in new:
            idx.setdefault(e.key, e)
        return dataclasses.replace(self, entries=tuple(sorted(idx.values(), key=_sort_key)))

    def with_entries(self, entries: Iterable[Entry]) -> Baseline:
        """Replace entries with the same key (e.g. after a decision)."""
        idx = self.index()
        for e in entries:
            idx[e.key] = e
        return dataclasses.replace(self, entries=tuple(sorted(idx.values(), key=_sort_key)))

    def dumps(self) -> str:
        lines = [json.dumps(e.to_dict(), ensure_ascii=False, separators=(", ", ": "))
                 for e in sorted(self.entries, key=_sort_key)]
        body = ",\n".join(f"    {line}" for line in lines)
        return (
            "{\n"
            f'  "schema": "{BASELINE_SCHEMA}",\n'
            f'  "key_id": {json.dumps(self.key_id or key_fingerprint())},\n'
            '  "entries": [\n' + (body + "\n" if body else "") + "  ]\n}\n"
        )

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.dumps())
        os.replace(tmp, path)


def _sort_key(e: Entry) -> tuple[str, str, str]:
    return e.key


def new_baseline(entries: Iterable[Entry] = ()) -> Baseline:
    return Baseline(key_id=key_fingerprint()).merged(entries)


def load_baseline(path: Path, check_key: bool = True) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline not found (create one with "
                          "`dataclass-scan baseline create PATH...`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise ConfigError(f"{path}: not a dataclass-scan baseline (schema {BASELINE_SCHEMA})")
    key_id = str(data.get("key_id", ""))
    if check_key and key_id and key_id != key_fingerprint():
        raise ConfigError(
            f"{path}: made with another installation secret, so its value hashes cannot "
            "match here; point DATACLASS_SCAN_HOME at a folder holding the same secret.key"
        )
    entries: list[Entry] = []
    for n, raw in enumerate(data.get("entries", []), start=1):
        try:
            decision = raw.get("decision")
            expires = raw.get("expires")
            if expires is not None:
                _dt.date.fromisoformat(str(expires))
            entries.append(Entry(
                path=str(raw["path"]), rule=str(raw["rule"]), value_hash=str(raw["value_hash"]),
                type=str(raw.get("type", "")),
                decision=Decision(decision) if decision is not None else None,
                reviewer=raw.get("reviewer"), reason=raw.get("reason"),
                decided=raw.get("decided"), expires=expires,
            ))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}: entry {n} is invalid: {exc}") from None
    return Baseline(entries=tuple(entries), key_id=key_id, path=str(path))


def baseline_entries(files: Sequence[FileResult], expires: str | None = None,
                     base: Path | None = None) -> list[Entry]:
    out = []
    for f in files:
        for x in f.findings:
            e = entry_for(f, x, base)
            out.append(dataclasses.replace(e, expires=expires) if expires else e)
    return out


def parse_expiry(text: str | None, today: _dt.date | None = None) -> str | None:
    """`2027-03-31` or a span from today: `90d`, `12w`, `6m` (30-day months)."""
    if not text:
        return None
    today = today or _dt.date.today()
    t = text.strip().lower()
    if t[:-1].isdigit() and t[-1:] in ("d", "w", "m"):
        days = int(t[:-1]) * {"d": 1, "w": 7, "m": 30}[t[-1]]
        return (today + _dt.timedelta(days=days)).isoformat()
    try:
        return _dt.date.fromisoformat(t).isoformat()
    except ValueError:
        raise ConfigError(f"invalid expiry {text!r} (a date like 2027-03-31, or 90d, 12w, 6m)")\
            from None
