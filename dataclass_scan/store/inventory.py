"""Scan history in SQLite, for admins: every `dataclass-scan inventory` run adds one scan
with its files (path, folder, file type, owner, size, mtime, SHA-256, status, label,
verdict) and finding counts by entity type. Never a value, an excerpt or a value hash.
The database file is created owner-only.

`snapshot()` turns a scan (from the database or a saved JSON report) into
`{path: FileState}`; `diff()` compares two snapshots: files that became sensitive,
changed label, or were cleaned (or removed).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import posixpath
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.errors import DataclassScanError
from dataclass_scan.model import Confidence, FileResult, ScanResult

SCHEMA_VERSION = 1
_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
  id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT, finished TEXT, recorded TEXT NOT NULL,
  roots TEXT NOT NULL, destination TEXT, tool_version TEXT, rules_version TEXT,
  config_sha256 TEXT, manifest_digest TEXT, labels TEXT NOT NULL,
  files INTEGER NOT NULL, findings INTEGER NOT NULL, verdict TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE, path TEXT NOT NULL,
  folder TEXT NOT NULL, file_type TEXT NOT NULL, format TEXT, status TEXT NOT NULL,
  size INTEGER NOT NULL, sha256 TEXT, owner TEXT, mtime TEXT, label TEXT,
  label_rank INTEGER, verdict TEXT, findings INTEGER NOT NULL,
  PRIMARY KEY (scan_id, path));
CREATE TABLE IF NOT EXISTS file_types (
  scan_id INTEGER NOT NULL, path TEXT NOT NULL, type TEXT NOT NULL, category TEXT,
  count INTEGER NOT NULL, max_confidence TEXT NOT NULL,
  PRIMARY KEY (scan_id, path, type), FOREIGN KEY (scan_id, path) REFERENCES files);
CREATE INDEX IF NOT EXISTS files_label ON files (scan_id, label_rank);
"""


class InventoryError(DataclassScanError):
    """The inventory database cannot be opened, or holds too few scans."""


@dataclass(frozen=True, slots=True)
class FileState:
    label: str | None
    rank: int | None  # position of the label in the taxonomy (0 = least sensitive)
    verdict: str | None
    status: str
    findings: int

    @property
    def sensitive(self) -> bool:
        return bool(self.rank)


def folder_of(path: str) -> str:
    outer = path.partition("!")[0].replace("\\", "/")
    return posixpath.dirname(outer) or "."


def file_type_of(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem and len(ext) <= 12 else "(none)"


@lru_cache(maxsize=1024)
def _owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def owner_of(source: Mapping[str, Any]) -> str | None:
    if source.get("owner"):
        return str(source["owner"])
    uid = source.get("owner_uid")
    return _owner_name(int(uid)) if isinstance(uid, int) else None


def _mtime_of(source: Mapping[str, Any]) -> str | None:
    mtime = source.get("mtime")
    if isinstance(mtime, (int, float)):
        return _dt.datetime.fromtimestamp(mtime, _dt.timezone.utc).isoformat(timespec="seconds")
    return None


@contextmanager
def connect(path: Path, create: bool = True) -> Iterator[sqlite3.Connection]:
    """Open (and with `create`, create owner-only) the inventory database."""
    if not path.exists():
        if not create:
            raise InventoryError(f"{path}: no such inventory database")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError as exc:
            raise InventoryError(f"{path}: cannot create: {exc.strerror}") from None
    try:
        with closing(sqlite3.connect(path)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            db.executescript(_DDL)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise InventoryError(f"{path}: inventory schema {row[0]}, expected "
                                     f"{SCHEMA_VERSION}")
            yield db
            db.commit()
    except sqlite3.DatabaseError as exc:
        raise InventoryError(f"{path}: not a usable inventory database: {exc}") from None


def record_scan(db: sqlite3.Connection, scan: ScanResult, labels: Sequence[str],
                manifest_digest: str | None = None) -> int:
    """Add one scan; return its id."""
    m = scan.meta
    cur = db.execute(
        "INSERT INTO scans (started, finished, recorded, roots, destination, tool_version, "
        "rules_version, config_sha256, manifest_digest, labels, files, findings, verdict) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (m.started, m.finished,
         _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
         json.dumps([_text(r) for r in m.roots]), m.destination, __version__, m.rules_version,
         m.config_digest or None, manifest_digest, json.dumps(list(labels)), len(scan.files),
         sum(f.finding_count for f in scan.files), scan.verdict.value))
    scan_id = int(cur.lastrowid or 0)
    db.executemany(
        "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [_file_row(scan_id, f, labels) for f in scan.files])
    db.executemany("INSERT OR REPLACE INTO file_types VALUES (?,?,?,?,?,?)",
                   [row for f in scan.files for row in _type_rows(scan_id, f)])
    return scan_id


def _text(path: str) -> str:
    """SQLite stores UTF-8: undecodable file names (lone surrogates) as `\\xff` escapes."""
    return path if path.isascii() else path.encode("utf-8", "surrogateescape").decode(
        "utf-8", "backslashreplace")


def _file_row(scan_id: int, f: FileResult, labels: Sequence[str]) -> tuple[Any, ...]:
    rank = labels.index(f.label) if f.label in labels else (None if f.label is None else 1)
    path = _text(f.path)
    return (scan_id, path, folder_of(path), file_type_of(path), f.format,
            f.status.value, f.size, f.sha256, owner_of(f.source), _mtime_of(f.source),
            f.label, rank, f.verdict.value if f.verdict else None, f.finding_count)


def _type_rows(scan_id: int, f: FileResult) -> list[tuple[Any, ...]]:
    per: dict[str, tuple[str, int, Confidence]] = {}
    # Listed findings, then those counted beyond --max-findings: the same totals.
    kinds = [(x.type, x.category, x.confidence, 1) for x in f.findings]
    kinds += [(c.type, c.category, c.confidence, c.count) for c in f.omitted]
    for type_, category, confidence, count in kinds:
        cat, n, conf = per.get(type_, (category, 0, confidence))
        per[type_] = (cat, n + count, conf if conf.rank >= confidence.rank else confidence)
    return [(scan_id, _text(f.path), t, cat, n, conf.value)
            for t, (cat, n, conf) in per.items()]


def scan_ids(db: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in db.execute("SELECT id FROM scans ORDER BY id")]


def snapshot_from_db(db: sqlite3.Connection, scan_id: int) -> dict[str, FileState]:
    rows = db.execute("SELECT path, label, label_rank, verdict, status, findings FROM files "
                      "WHERE scan_id = ?", (scan_id,))
    return {p: FileState(label, rank, verdict, status, n)
            for p, label, rank, verdict, status, n in rows}


def snapshot_from_report(report: Mapping[str, Any], labels: Sequence[str]
                         ) -> dict[str, FileState]:
    out: dict[str, FileState] = {}
    for f in report.get("files", ()):
        label = f.get("label")
        rank = labels.index(label) if label in labels else (None if label is None else 1)
        out[str(f["path"])] = FileState(label, rank, f.get("verdict"), str(f["status"]),
                                        len(f.get("findings", ()))
                                        + int(f.get("findings_omitted", 0)))
    return out


def diff(old: Mapping[str, FileState], new: Mapping[str, FileState]) -> dict[str, Any]:
    """Files that became sensitive, changed label, or were cleaned or removed."""
    became, changed, cleaned, removed, added = [], [], [], [], []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if b is None:
            assert a is not None
            if a.sensitive:
                removed.append({"path": path, "old": asdict(a)})
            continue
        if a is None:
            added.append(path)
            if b.sensitive:
                became.append({"path": path, "old": None, "new": asdict(b)})
            continue
        if b.sensitive and not a.sensitive:
            if a.label is None:  # unread before: its sensitivity was unknown, not clean
                changed.append({"path": path, "old": asdict(a), "new": asdict(b)})
            else:
                became.append({"path": path, "old": asdict(a), "new": asdict(b)})
        elif a.sensitive and not b.sensitive and b.label is not None:
            cleaned.append({"path": path, "old": asdict(a), "new": asdict(b)})
        elif a.label != b.label:
            changed.append({"path": path, "old": asdict(a), "new": asdict(b)})
    return {"became_sensitive": became, "label_changed": changed, "cleaned": cleaned,
            "removed_sensitive": removed,
            "counts": {"old_files": len(old), "new_files": len(new), "added": len(added),
                       "removed": len(set(old) - set(new))}}
