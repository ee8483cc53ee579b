"""Append-only audit trail: JSON Lines, each entry carrying the hash of the one before.

Every scan, check, baseline and review decision appends one entry. An entry is
`{"seq", "time", "event", "user", "data", "prev", "hash"}`: `hash` is the SHA-256 of the
entry's canonical JSON without `hash`, and `prev` the previous entry's `hash` (a fixed
genesis value for the first), so changing, removing or reordering an entry breaks the
chain and `verify` names the first bad entry. Entries hold paths, labels, verdicts, rule
ids and keyed value hashes, never a sensitive value. The file is created owner-only.

Default location: `audit.jsonl` in the per-installation home
(`$DATACLASS_SCAN_HOME`, default `~/.config/dataclass-scan/`).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataclass_scan.errors import DataclassScanError
from dataclass_scan.keys import home_dir

GENESIS = "sha256:" + "0" * 64
AUDIT_FILE_NAME = "audit.jsonl"


class AuditError(DataclassScanError):
    """The audit log cannot be written or read."""


def default_audit_path() -> Path:
    return home_dir() / AUDIT_FILE_NAME


def entry_hash(entry: Mapping[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _last_entry(fh: Any) -> dict[str, Any] | None:
    """The last complete line of an open binary file."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end == 0:
        return None
    block = 4096
    pos = end
    data = b""
    while pos > 0:
        step = min(block, pos)
        pos -= step
        fh.seek(pos)
        data = fh.read(step) + data
        stripped = data.rstrip(b"\n")
        if b"\n" in stripped or pos == 0:
            line = stripped.rsplit(b"\n", 1)[-1]
            try:
                last = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AuditError(f"last audit entry is not valid JSON: {exc}") from None
            if not isinstance(last, dict):
                raise AuditError("last audit entry is not a JSON object")
            return last
    return None


def append(path: Path, event: str, data: Mapping[str, Any],
           now: _dt.datetime | None = None) -> dict[str, Any]:
    """Append one entry (under an exclusive lock, so concurrent writers keep the chain)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise AuditError(f"cannot open audit log {path}: {exc.strerror}") from None
    with os.fdopen(fd, "r+b") as fh:
        _lock(fh)
        last = _last_entry(fh)
        entry: dict[str, Any] = {
            "seq": int(last.get("seq", 0)) + 1 if last else 1,
            "time": (now or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds"),
            "event": event,
            "user": _user(),
            "data": dict(data),
            "prev": str(last.get("hash", "")) if last else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        fh.seek(0, os.SEEK_END)
        fh.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    return entry


def _lock(fh: Any) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: best effort without a lock
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def read_entries(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, entry or None when unparsable, raw line)."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, start=1):
                raw = line.rstrip("\n")
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError:
                    yield n, None, raw
                    continue
                yield n, obj if isinstance(obj, dict) else None, raw
    except FileNotFoundError:
        raise AuditError(f"{path}: audit log not found") from None
    except OSError as exc:
        raise AuditError(f"{path}: cannot read: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    ok: bool
    line: int | None = None
    seq: int | None = None
    problem: str = ""

    def message(self, path: Path) -> str:
        if self.ok:
            return f"{path}: {self.entries} entries, chain intact"
        where = f"line {self.line}" + (f" (entry {self.seq})" if self.seq is not None else "")
        return f"{path}: {where}: {self.problem}"


def verify(path: Path) -> Verification:
    prev = GENESIS
    count = 0
    expected_seq = 1
    for line, entry, _raw in read_entries(path):
        if entry is None:
            return Verification(count, False, line, None, "not a JSON object (entry damaged)")
        seq = entry.get("seq")
        if entry.get("hash") != entry_hash(entry):
            return Verification(count, False, line, seq,
                                "hash does not match the content (entry altered)")
        if entry.get("prev") != prev:
            return Verification(count, False, line, seq,
                                "does not follow the previous entry (entries removed, "
                                "inserted or reordered)")
        if seq != expected_seq:
            return Verification(count, False, line, seq,
                                f"sequence number {seq}, expected {expected_seq}")
        prev = str(entry["hash"])
        expected_seq += 1
        count += 1
    return Verification(count, True)


def describe(entry: Mapping[str, Any]) -> str:
    """One line for `audit show`."""
    data = entry.get("data") or {}
    event = entry.get("event", "?")
    head = f"{entry.get('seq', '?'):>5}  {entry.get('time', '?')}  {entry.get('user', '?'):<10} "
    if event in ("scan", "check"):
        counts = data.get("verdicts", {})
        tail = (f"{event} {' '.join(data.get('roots', []))} for {data.get('destination')}: "
                f"{str(data.get('verdict', '')).upper()} (files {data.get('files', 0)}, "
                f"block {counts.get('block', 0)}, review {counts.get('review', 0)}) "
                f"exit {data.get('exit_code')}")
    elif event == "review":
        tail = (f"review {data.get('decision')} {data.get('rule')} {data.get('path')} "
                f"[{data.get('id')}] by {data.get('reviewer')}: {data.get('reason')}")
    elif event == "baseline":
        tail = (f"baseline {data.get('action', 'create')} {data.get('file')}: "
                f"{data.get('entries', 0)} entries")
    else:
        tail = f"{event} {json.dumps(data, sort_keys=True)[:120]}"
    return head + " " + tail


MAX_FLAGGED = 1000


def scan_data(result: Any, exit_code: int, **extra: Any) -> dict[str, Any]:
    """What a scan or check records: counts, the verdict, and each blocked or reviewed
    file's path, sha256, label and verdict (never a finding's value or excerpt)."""
    from collections import Counter

    from dataclass_scan.model import ScanResult, Verdict

    assert isinstance(result, ScanResult)
    verdicts = Counter(f.verdict.value for f in result.files if f.verdict)
    labels = Counter(f.label for f in result.files if f.label)
    flagged = [f for f in result.files if f.verdict in (Verdict.BLOCK, Verdict.REVIEW)]
    data: dict[str, Any] = {
        "roots": list(result.meta.roots),
        "destination": result.meta.destination,
        "rules_version": result.meta.rules_version,
        "verdict": result.verdict.value,
        "files": len(result.files),
        "incomplete": sum(1 for f in result.files if f.verdict is None
                          and f.status.value not in ("scanned", "skipped")),
        "verdicts": dict(sorted(verdicts.items())),
        "labels": dict(sorted(labels.items())),
        "findings": sum(f.finding_count for f in result.files),
        "suppressed": result.suppressed,
        "exit_code": exit_code,
        "flagged": [{"path": f.path, "sha256": f.sha256, "label": f.label,
                     "verdict": f.verdict.value if f.verdict else None}
                    for f in flagged[:MAX_FLAGGED]],
    }
    if len(flagged) > MAX_FLAGGED:
        data["flagged_total"] = len(flagged)
    data.update(extra)
    return data
