"""Incremental scans: results of unchanged files, reused from a SQLite cache.

An entry is keyed by the file's absolute path and display path and holds its size,
modification time (ns), SHA-256 and a *fingerprint* of everything else that shapes
results (tool version, rule packs, labels policy, scan settings, candidate passwords as
a keyed hash). A file whose size and mtime match is answered from the cache without
being read; one modified within `RACY_SECONDS` of being cached (its mtime could hide a
same-size change) is re-hashed and reused only if its SHA-256 still matches.

No plaintext value is ever stored: findings keep their masked excerpt and keyed value
hash, never the value (`--show-values` scans bypass the cache). The database is created
owner-only, written in transactions (an interrupted scan leaves it consistent: at worst
the last batch is not cached), and any SQLite problem turns the cache off for the run
rather than failing the scan. Results with status error or timeout are never cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dataclass_scan.model import (
    Confidence,
    FileResult,
    Finding,
    FindingCount,
    Item,
    Location,
    Status,
    Verdict,
)
from dataclass_scan.paths import printable_path

SCHEMA_VERSION = 1
RACY_SECONDS = 2.0
COMMIT_EVERY = 500  # results per transaction
PREFETCH = 256  # items whose entries are read with one query (bound parameters < 999)
CACHEABLE = frozenset({Status.SCANNED, Status.PARTIAL, Status.ENCRYPTED, Status.UNSUPPORTED,
                       Status.SKIPPED})
_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  fs_path TEXT NOT NULL, path TEXT NOT NULL, fingerprint TEXT NOT NULL,
  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT, cached_at REAL NOT NULL,
  results TEXT NOT NULL, PRIMARY KEY (fs_path, path));
"""


def default_cache_path() -> Path:
    from dataclass_scan.keys import home_dir

    return home_dir() / "cache.sqlite"


def cache_path(config: Any) -> Path | None:
    """Where this scan's cache lives, or None for no cache: `--no-cache` (or
    `--show-values`: values are never cached) turns it off; `--cache FILE` chooses the
    file; otherwise `$DATACLASS_SCAN_CACHE` (a file, or `off`), else the default."""
    if not config.cache or config.show_values:
        return None
    if config.cache_file is not None:
        return Path(config.cache_file)
    env = os.environ.get("DATACLASS_SCAN_CACHE", "").strip()
    if env.lower() in ("off", "0", "no", "false", "none"):
        return None
    return Path(env) if env else default_cache_path()


def fingerprint(ctx: Any) -> str:
    """Everything besides the file itself that decides its results."""
    from dataclass_scan import __version__
    from dataclass_scan.detect.rulepack import builtin_rules_dir, packs_version
    from dataclass_scan.keys import installation_secret

    config = ctx.config
    h = hashlib.sha256()
    h.update(f"v{SCHEMA_VERSION}\0{__version__}\0".encode())
    h.update(packs_version(ctx.packs).encode() + b"\0")
    h.update(_canon_json(ctx.policy).encode() + b"\0")
    h.update(_canon_json(ctx.destination).encode() + b"\0")
    builtin = builtin_rules_dir()
    if builtin.is_dir():
        for f in sorted(builtin.rglob("*")):
            if f.is_file():
                h.update(f.relative_to(builtin).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(f.read_bytes()).digest())
    # Not results: how many workers, their limits, where the cache lives, which prefilter
    # engine runs (they find the same candidates by construction).
    skip = {"jobs", "timeout", "max_memory", "cache", "cache_file", "show_values",
            "passwords", "config_file", "prefilter"}
    body = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
            if f.name not in skip}
    h.update(_canon_json(body).encode())
    passwords = getattr(config, "passwords", ())
    if passwords:  # a keyed hash: the cache must not help anyone guess them
        h.update(hmac.new(installation_secret(), "\0".join(passwords).encode(),
                          hashlib.sha256).digest())
    return h.hexdigest()


def _canon(obj: Any) -> Any:
    """A JSON-able form that is the same in every process (sets are sorted: their
    iteration order changes with string-hash randomisation)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _canon(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _canon(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_canon(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_canon(v) for v in obj), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "value") and isinstance(getattr(obj, "value", None), (str, int)):
        return obj.value  # enums
    if hasattr(obj, "pattern"):  # compiled regular expressions
        return [obj.pattern, getattr(obj, "flags", 0)]
    return str(obj)


def _canon_json(obj: Any) -> str:
    return json.dumps(_canon(obj), sort_keys=True, separators=(",", ":"))


class ScanCache:
    """Look up and store results of local files. Not shared between threads."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.hits = 0
        self.disabled_reason: str | None = None
        self._pending = 0
        self._db: sqlite3.Connection | None = None
        self._prefetched: set[tuple[str, str]] = set()
        self._rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._keys: dict[int, tuple[str, str] | None] = {}
        try:
            self._db = _open(path)
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)

    def _disable(self, exc: BaseException) -> None:
        self.disabled_reason = f"cache turned off for this scan: {type(exc).__name__}: {exc}"
        if self._db is not None:
            try:
                self._db.rollback()
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None

    # -- look-up --------------------------------------------------------------------

    @staticmethod
    def _key(item: Item) -> tuple[str, str] | None:
        """(fs_path, path) of the entry that could answer `item`, or None if none can."""
        if item.fs_path is None or item.data is not None:
            return None
        if item.skip_reason is not None or item.error is not None:
            return None
        return printable_path(os.path.abspath(item.fs_path)), item.path

    def prefetch(self, items: Iterable[Item]) -> None:
        """Read the entries of many items with one query; `lookup` then answers them
        from memory. A warm rescan otherwise pays one SQLite round trip per file."""
        if self._db is None:
            return
        # By id: the caller holds these items until they are looked up, and the next
        # prefetch forgets them.
        self._keys = {id(item): self._key(item) for item in items}
        keys = {k for k in self._keys.values() if k is not None}
        self._rows = {}
        fs_paths = list({fs for fs, _ in keys})
        try:
            for i in range(0, len(fs_paths), PREFETCH):
                chunk = fs_paths[i:i + PREFETCH]
                marks = ",".join("?" * len(chunk))
                for fs_path, path, *row in self._db.execute(
                        "SELECT fs_path, path, size, mtime_ns, sha256, cached_at, results "
                        f"FROM entries WHERE fingerprint = ? AND fs_path IN ({marks})",
                        (self.fingerprint, *chunk)):
                    if (fs_path, path) in keys:
                        self._rows[(fs_path, path)] = tuple(row)
        except sqlite3.Error as exc:
            self._disable(exc)
            return
        self._prefetched = keys

    def _row(self, key: tuple[str, str]) -> tuple[Any, ...] | None:
        if key in self._prefetched:
            return self._rows.get(key)
        assert self._db is not None
        row: tuple[Any, ...] | None = self._db.execute(
            "SELECT size, mtime_ns, sha256, cached_at, results FROM entries "
            "WHERE fs_path = ? AND path = ? AND fingerprint = ?",
            (*key, self.fingerprint)).fetchone()
        return row

    def lookup(self, item: Item) -> list[FileResult] | None:
        if self._db is None:
            return None
        key = self._keys[id(item)] if id(item) in self._keys else self._key(item)
        if key is None:
            return None
        try:
            row = self._row(key)
        except sqlite3.Error as exc:
            self._disable(exc)
            return None
        if row is None:
            return None
        size, mtime_ns, sha256, cached_at, blob = row
        if item.mtime_ns is not None:  # stat'ed by the walk that produced the item
            now_size, now_mtime_ns = item.size, item.mtime_ns
        else:
            try:
                st = os.stat(item.fs_path)  # type: ignore[arg-type]  # _key checked it
            except OSError:
                return None
            now_size, now_mtime_ns = st.st_size, st.st_mtime_ns
        if now_size != size or now_mtime_ns != mtime_ns:
            return None
        if (cached_at - mtime_ns / 1e9 < RACY_SECONDS
                and _sha256_file(item.fs_path) != sha256):  # type: ignore[arg-type]
            return None
        self.hits += 1
        return _decode(blob, item.source)

    # -- store ----------------------------------------------------------------------

    def store(self, item: Item, results: list[FileResult], stat_before: os.stat_result
              ) -> None:
        """Remember `results` for `item`, as of `stat_before` (taken before the scan)."""
        if self._db is None or not results or item.fs_path is None or item.data is not None:
            return
        if any(r.status not in CACHEABLE for r in results) or results[0].sha256 is None:
            return
        try:
            st = os.stat(item.fs_path)
        except OSError:
            return
        if (st.st_size, st.st_mtime_ns) != (stat_before.st_size, stat_before.st_mtime_ns):
            return  # changed while being scanned
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (printable_path(os.path.abspath(item.fs_path)), item.path, self.fingerprint,
                 st.st_size, st.st_mtime_ns, results[0].sha256, time.time(), _encode(results)))
            self._pending += 1
            if self._pending >= COMMIT_EVERY:
                self.commit()
        except sqlite3.Error as exc:
            self._disable(exc)

    def commit(self) -> None:
        if self._db is None:
            return
        try:
            self._db.commit()
            self._pending = 0
        except sqlite3.Error as exc:
            self._disable(exc)

    def close(self) -> None:
        if self._db is not None:
            self.commit()
        if self._db is not None:
            self._db.close()
            self._db = None

    def clear(self) -> int:
        if self._db is None:
            return 0
        n = self._db.execute("DELETE FROM entries").rowcount
        self._db.commit()
        return int(n)


class CachingRunner:
    """Wraps a runner with `run_items(items, ctx, resolve)`: unchanged files come from
    the cache (marked `cached`), the rest are scanned and stored."""

    def __init__(self, inner: Any, cache: ScanCache) -> None:
        self.inner = inner
        self.cache = cache

    def run(self, items: Iterable[Item], ctx: Any) -> Iterator[FileResult]:
        stats: dict[int, os.stat_result] = {}
        cached: set[int] = set()

        def resolve(item: Item) -> list[FileResult] | None:
            hit = self.cache.lookup(item)
            if hit is not None:
                cached.add(id(item))
                return hit
            if item.fs_path is not None and item.skip_reason is None and item.error is None:
                try:
                    stats[id(item)] = os.stat(item.fs_path)
                except OSError:
                    pass
            return None

        try:
            for item, results in self.inner.run_items(self._prefetching(items), ctx, resolve):
                key = id(item)
                if key in cached:
                    cached.discard(key)
                    yield from results
                    continue
                before = stats.pop(key, None)
                if before is not None:
                    self.cache.store(item, results, before)
                yield from results
        finally:
            self.cache.close()

    def _prefetching(self, items: Iterable[Item]) -> Iterator[Item]:
        """The same items, read `PREFETCH` at a time so that their cache entries come
        from one query. The walk runs at most that far ahead of the scan."""
        source = iter(items)
        while chunk := list(itertools.islice(source, PREFETCH)):
            self.cache.prefetch(chunk)
            yield from chunk
        self.cache.prefetch(())  # forget the last chunk (its items are keyed by id)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
    else:
        os.chmod(path, 0o600)
    db = sqlite3.connect(path, timeout=5.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_DDL)
    row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is None:
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        db.commit()
    elif row[0] != str(SCHEMA_VERSION):
        db.execute("DELETE FROM entries")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))
        db.commit()
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            os.chmod(side, 0o600)
    return db


def _sha256_file(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


# -- encoding: no raw values ------------------------------------------------------------

def _encode(results: list[FileResult]) -> str:
    out = []
    for r in results:
        out.append({
            "path": r.path, "format": r.format, "status": r.status.value, "size": r.size,
            "sha256": r.sha256, "label": r.label, "declared_label": r.declared_label,
            "verdict": r.verdict.value if r.verdict else None, "reasons": list(r.reasons),
            "errors": list(r.errors),
            "source": _jsonable(r.source),
            "findings": [{
                "rule": f.rule, "type": f.type, "category": f.category,
                "confidence": f.confidence.value, "location": f.location.to_dict(),
                "excerpt": f.excerpt, "value_hash": f.value_hash, "start": f.start,
                "end": f.end, "reasons": list(f.reasons),
            } for f in r.findings],
            # Findings beyond --max-findings, counted (hashes only, as in findings).
            "omitted": [[c.rule, c.type, c.category, c.confidence.value, c.count,
                         c.header_footer, list(c.value_hashes)] for c in r.omitted],
        })
    return json.dumps(out, separators=(",", ":"))


def _jsonable(source: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in dict(source).items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
    return out


def _decode(blob: str, source: Any) -> list[FileResult]:
    """Stored results; the first (the file itself) takes the item's current metadata."""
    results = []
    for i, d in enumerate(json.loads(blob)):
        findings = tuple(
            Finding(f["rule"], f["type"], f["category"], _CONF[f["confidence"]],
                    Location.from_dict(f["location"]), f["excerpt"], f["value_hash"], "",
                    f["start"], f["end"], tuple(f["reasons"]))
            for f in d["findings"]) if d["findings"] else ()
        omitted = tuple(
            FindingCount(rule, type_, category, _CONF[conf], count, marking, tuple(hashes))
            for rule, type_, category, conf, count, marking, hashes in d.get("omitted", ()))
        results.append(FileResult(
            path=d["path"], format=d["format"], status=_STATUS[d["status"]], size=d["size"],
            sha256=d["sha256"], label=d["label"], declared_label=d["declared_label"],
            verdict=_VERDICT[d["verdict"]] if d["verdict"] else None,
            reasons=tuple(d["reasons"]), errors=tuple(d["errors"]),
            source=source if i == 0 else d["source"], cached=True, findings=findings,
            omitted=omitted,
        ))
    return results


_CONF = {c.value: c for c in Confidence}
_VERDICT = {v.value: v for v in Verdict}
_STATUS = {s.value: s for s in Status}

