"""Literal keys found by Hyperscan (the `fast` extra) for the dictionary and name passes.

The markings dictionary (detect/dictionary.py) and the name matcher (detect/names.py)
walk every character of a large text with pyahocorasick or a regex and a Python loop
over every capitalised word: about 0.1 s per 4 MB together, a third of the whole
detection on prose. Hyperscan finds the same keys in one native pass, an order of
magnitude faster, and Python then looks only at the places it reports.

Each caller gives expressions that match *at least* wherever one of its keys can be
(a superset) in the text as `stand_in_bytes` encodes it: one byte per character, `?` for
every non-ASCII one (digits too: the prefilter's digit stand-in is not used here). It
then checks every reported place exactly as its own pure-Python pass does, so results
never depend on whether Hyperscan is installed (tests compare).
Texts below `MIN_TEXT` characters (the name pass) or `MIN_DICTIONARY_TEXT` (the
markings dictionary) keep the pure-Python pass: for them it costs less. The compiled
database is cached in the per-installation folder like the prefilter's, keyed by the
expressions' digest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dataclass_scan.detect.hsprefilter import _database_from, available, store_private

__all__ = ["MIN_DICTIONARY_TEXT", "MIN_TEXT", "LiteralScanner", "available", "caseless",
           "literal", "stand_in_bytes"]

VERSION = "1"  # bump when expressions or flags change meaning: invalidates cached files
MIN_TEXT = 64 * 1024  # characters; shorter texts keep the pure-Python name pass
# The markings dictionary from here on: its 85 keys compile in ~5 ms and load in 0.3 ms,
# and per text it costs 5 us against 25 at 2,000 characters, 8 against 72 at 8,000. (The
# name pass gains as much per text, but listing and loading its 20,500 literals costs
# ~17 ms per process, more than a scan of one file saves: docs/performance.md.)
MIN_DICTIONARY_TEXT = 1024


def stand_in_bytes(text: str) -> bytes:
    """The text as Hyperscan scans it: one byte per character, so offsets carry over;
    `?` for every non-ASCII character (and lone surrogates)."""
    return text.encode("ascii", "replace")


def caseless(key: str) -> str:
    """An expression for `key` (lower case, as detect/dictionary.py folds it) matching
    wherever the folded text can hold it: an ASCII letter in either case, and `?` for a
    non-ASCII character. `k` also takes `?`: the Kelvin sign lowers to an ASCII `k`."""
    out = []
    for ch in key:
        if "a" <= ch <= "z":
            out.append(f"[{ch}{ch.upper()}{'?' if ch == 'k' else ''}]")
        elif not ch.isascii():
            out.append(r"\?")
        elif ch.isalnum():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}")
    return "".join(out)


def literal(text: str) -> str:
    """An expression for `text` as it is (case and all), `?` standing for a non-ASCII
    character."""
    if text.isascii() and text.isalnum():
        return text  # (a name: the usual case, for ~20,000 of them)
    return "".join(ch if ch.isascii() and ch.isalnum() else
                   r"\?" if not ch.isascii() else f"\\x{ord(ch):02x}" for ch in text)


class LiteralScanner:
    """Every end offset of every expression in a text, by expression index.

    The database is compiled (or loaded from the cache) on the first scan."""

    def __init__(self, expressions: Sequence[str], *, cache: bool = True) -> None:
        self.expressions = list(expressions)
        self.cache = cache
        self._db: Any = None
        self._ready = False

    def _prepare(self) -> None:
        import hashlib
        import sys

        import hyperscan as hs

        self._ready = True
        if not self.expressions:
            return
        digest = hashlib.sha256(json.dumps(
            ["literals", VERSION, getattr(hs, "__version__", ""), sys.version_info[:2],
             self.expressions]).encode()).hexdigest()
        blob = _COMPILED.get(digest)
        path = _cache_path(digest) if self.cache else None
        if blob is None and path is not None:
            blob = _load(path)
        if blob is not None:
            try:
                self._db = _database_from(hs, blob)
                return
            except hs.error:
                pass  # built by another Hyperscan or CPU: compile
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        db.compile(expressions=[e.encode() for e in self.expressions],
                   ids=list(range(len(self.expressions))), elements=len(self.expressions),
                   flags=[0] * len(self.expressions))
        blob = bytes(hs.dumpb(db))
        if len(_COMPILED) >= 16:
            _COMPILED.clear()
        _COMPILED[digest] = blob
        if path is not None:
            store_private(path, blob)
        db.scratch = hs.Scratch(db)
        self._db = db

    def ends(self, data: bytes) -> list[tuple[int, int]] | None:
        """(end, expression index) of every match in `data`, in the order reported
        (ascending end); None when the scan could not run (the caller's pure-Python
        pass then serves this text)."""
        if not self._ready:
            self._prepare()
        if self._db is None:
            return [] if not self.expressions else None
        found: list[tuple[int, int]] = []
        add = found.append

        def on_match(index: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            add((end, index))

        import hyperscan as hs

        try:
            self._db.scan(data, match_event_handler=on_match)
        except hs.ScratchInUseError:  # another thread is scanning with this scratch
            return None
        return found


# Serialized databases this process compiled, by digest (engines built again in the same
# process do not compile again).
_COMPILED: dict[str, bytes] = {}


def _cache_path(digest: str) -> str:
    from dataclass_scan.keys import home_dir

    return str(home_dir() / f"hyperscan-literals-{digest[:32]}.db")


def _load(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read() or None
    except OSError:
        return None  # missing or unreadable: compile
