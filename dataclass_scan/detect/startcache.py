"""Keep what start-up derives from the rule files between runs.

A scan of one small file (what a pre-commit hook pays on every commit) spent most of its
time deriving the same things from the same rule files: parsing and checking the YAML
packs (which imports a python-stdnum module per `stdnum:` validator), the prefilter's
analysis of every pattern, the name dictionaries' lookup tables. Each is a pure function
of its inputs, this code and a few libraries, so it is kept in `<home>/startup/`, one
file per entry, and used again while nothing it came from has changed:

- An entry's key is a digest of its inputs (given by the caller: a rule file's bytes,
  a pattern list, a dictionary) and of `stamp()`: the tool's detection code, Python,
  and the installed `regex`, PyYAML, python-stdnum and pyahocorasick. A different key
  means stale: the caller derives the value again and the entry is replaced.
- A file that is not ours (owner, or writable by others), cannot be read, fails its
  checksum or does not unpickle counts as missing, so a damaged cache costs time only.
- Entries are a JSON header line (format, key, SHA-256 of the rest) and a pickle,
  zlib-compressed (the name tables shrink from 270 to 110 KB). They are written to a
  temporary file and renamed (a reader never sees half of one), owner-only (0600 in a
  0700 folder); at most MAX_ENTRIES are kept.

Entries hold what rule files already contain (patterns, words, the built-in name
dictionaries; not the rules' match/no-match examples, which are sample secrets) and
what is derived from them, never anything from a scanned file. Term lists read from a
user's own terms files are not stored: callers leave those out (`rulepack.load_pack`,
the engine's name matchers).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the file layout changes
MAX_ENTRIES = 64  # files kept; the oldest go first
_HEADER_LIMIT = 4096
# Libraries whose behaviour shapes what is stored: the YAML parser, the validators that
# exist (python-stdnum modules) and the pickled form of automata.
_LIBRARIES = ("yaml", "stdnum", "ahocorasick")


def folder() -> Path:
    from dataclass_scan.keys import home_dir

    return home_dir() / "startup"


@functools.lru_cache(maxsize=1)
def stamp() -> str:
    """A digest of everything besides its own inputs that an entry depends on. Source
    text rather than the version number, so that an edited checkout never reads what
    older code derived."""
    import importlib.util

    import regex

    import dataclass_scan

    h = hashlib.sha256()
    h.update(f"{FORMAT}\0{dataclass_scan.__version__}\0{sys.version}\0"
             f"{pickle.HIGHEST_PROTOCOL}\0{regex.__version__}\0".encode())
    package = Path(dataclass_scan.__file__).parent
    sources = [package / "__init__.py", package / "model.py",
               *sorted((package / "detect").glob("*.py")),
               *sorted((package / "classify").glob("*.py"))]
    for source in sources:
        h.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            st = os.stat(origin)
            h.update(f"{name}\0{origin}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        else:
            h.update(f"{name}\0-\0".encode())
    return h.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A digest of a caller's inputs, for `get`/`put` keys and entry names."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def derived(kind: str, path: Path, raw: bytes, derive: Callable[[], Any]) -> Any:
    """`derive()` for the file at `path` whose bytes are `raw`, from the cache while the
    file's path and bytes are those it was stored with. `derive` raises for a bad file
    (and nothing is stored), so a bad file fails every time, naming file and line."""
    where = (str(path), os.path.realpath(path))
    name = f"{kind}-" + digest(*where)[:32]
    key = digest(*where, hashlib.sha256(raw).hexdigest())
    found = get(name, key)
    if found is not None:
        return found
    value = derive()
    put(name, key, value)
    return value


def _path(name: str) -> Path:
    if not name.replace("-", "").isalnum():
        raise ValueError(f"bad start-up cache entry name {name!r}")
    return folder() / f"{name}.bin"


def _full_key(key: str) -> str:
    return digest(stamp(), key)


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (pickles run code when loaded)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def get(name: str, key: str) -> Any | None:
    """The value stored under `name` if it was stored with `key` (and the same
    `stamp()`); None if missing, stale or damaged."""
    try:
        full = _full_key(key)
        path = _path(name)
        if not _private(os.stat(path.parent)):
            return None
        with open(path, "rb") as fh:
            if not _private(os.fstat(fh.fileno())):
                return None
            header = json.loads(fh.readline(_HEADER_LIMIT))
            if header.get("format") != FORMAT or header.get("key") != full:
                return None
            payload = fh.read()
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            return None
        return pickle.loads(zlib.decompress(payload))
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: derive it again
        return None


def put(name: str, key: str, value: Any) -> None:
    """Store `value` under `name` for `key`. Failures (a read-only home) are ignored:
    the next run derives the value again."""
    tmp = None
    try:
        path = _path(name)
        # The per-installation folder is owner-only too (it holds the hashing secret);
        # folders above it get the default mode, as keys.py makes them.
        path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        # (The file first: a read-only home fails before the value is serialised.)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=str(path.parent))
        with os.fdopen(fd, "wb") as fh:
            payload = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            header = json.dumps({"format": FORMAT, "key": _full_key(key),
                                 "sha256": hashlib.sha256(payload).hexdigest()})
            fh.write(header.encode("ascii") + b"\n" + payload)
        os.replace(tmp, path)
        tmp = None
        _prune(path.parent)
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(where: Path) -> None:
    """Keep the newest MAX_ENTRIES entries: pattern lists and rule files that changed
    leave entries nobody asks for again."""
    entries = [e for e in os.scandir(where) if e.name.endswith(".bin")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        try:
            os.unlink(old.path)
        except OSError:
            pass
