"""Prefilter backed by Hyperscan (the optional `fast` extra): same interface and same
results as `prefilter.py`, with one native pass over the text for every pattern at once.

Each rule pattern is translated into a Hyperscan expression that matches *at least*
wherever the `regex` module can match (a superset; or a superset of a tail of the
pattern, which ends wherever the pattern ends: see `_lead_cut`), and all of them go
into one database, compiled with HS_FLAG_PREFILTER (Hyperscan may approximate what it
cannot compile exactly, again as a superset). Scanning the text (one byte per character:
a stand-in byte for each non-ASCII one, see `stand_in_bytes`) reports, for every
pattern, every offset where a match could end. A pattern with no such offset
does not run; otherwise it runs over regions `end - width - margin .. end + margin`
(its maximum width, its widest look-around plus slack), merged, exactly like the
pure-Python regions: every real match ends at a reported offset, so it lies in a
region, and every match a region scan finds is a match of the pattern, so its own end
was reported and the region reaches `margin` past it; cutting the text there cannot
create or change a match. Patterns of unbounded width use the pure-Python *barrier* (a
character no match can contain) to find where a match ending at an offset can start.

Why translate rather than hand the patterns over with CASELESS/UCP: Hyperscan's Unicode
tables and case folding are not the `regex` module's (Unicode version, marks in `\\w`,
`\\x1c` in `\\s`, the Kelvin sign), so its matches could miss some of ours. The
translation asks the `regex` module itself which ASCII characters each character class
matches, spells that set out exactly, and adds the stand-ins of the non-ASCII characters
it can match, again asked of `regex`: `?` for any character but a decimal digit, and
another byte for those, so that `\\d` does not fire on every curly quote or dash. Look-
arounds, anchors and `\\b` are dropped (they only remove matches); a backreference
becomes a second copy of its group; atomic groups and possessive repeats become plain.

Patterns that cannot be translated (syntax only `regex` knows, conditionals, matches of
width zero) or that Hyperscan refuses, and every text below `min_text` characters, that
cannot be encoded, or whose offsets fire too often, are handled by the pure-Python
prefilter, so results never depend on whether Hyperscan is installed. The compiled
database is cached in the per-installation folder, keyed by the patterns' digest.
"""

from __future__ import annotations

import functools
import json  # also imported by the CLI, so free; hashlib is imported when needed
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex

from dataclass_scan.detect import prefilter as pure
from dataclass_scan.detect.prefilter import Prefilter, PrefilterScan

_c = pure._sre_c
TRANSLATION_VERSION = "3"  # bump when the translation changes: invalidates cached databases
# Characters; shorter texts use the pure-Python prefilter. Measured per text, warm: at
# 300 characters Hyperscan costs 140 us against 90, at 1,000 both 185, at 2,000 250
# against 315, at 8,000 650 against 1,300; and a PDF's pages wake a third of the
# patterns to compile (38 against 109 for 200 pages of prose).
MIN_TEXT = 1024
# Compiling the database costs about a second, once per installation (then it is read
# from the cache): only a text of this size pays for it; shorter ones use Hyperscan once
# the database is at hand, so a first scan of small files is as quick as it was.
COMPILE_TEXT = 64 * 1024
HIT_BUDGET = 32  # over all patterns, more than one reported end per this many bytes:
#                  stop the native scan and use the pure-Python prefilter for this text
REPEAT_CAP = 16  # counted repeats above this are loosened (see _Translator.node)
STAND_IN = 0x3F  # `?`: what a non-ASCII character (or lone surrogate) becomes when scanned
DIGIT_STAND_IN = 0x80  # ... unless it is a decimal digit (no ASCII byte is 0x80): `\d` then
#                        does not take every `?`, so digit patterns do not fire on each curly
#                        quote, dash or euro sign next to a number in word-processor prose

# The first code point of each run of ten non-ASCII decimal digits (0-9 in one run per
# script, a Unicode stability rule): what `\d` matches in the `regex` module, whose
# Unicode tables are newer than `unicodedata`'s (tests check the set against every code
# point). Results hold with any set: the translation asks `regex` which stand-ins each
# class can match; a set that drifted from `\d` would only cost native hits.
DIGIT_ZEROS = (
    0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80,
    0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0,
    0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x10d40, 0x11066, 0x110f0, 0x11136,
    0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x116d0, 0x116da, 0x11730,
    0x118e0, 0x11950, 0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50, 0x16130,
    0x16a60, 0x16ac0, 0x16b50, 0x16d70, 0x1ccf0, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec,
    0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0)

# Non-ASCII characters the `regex` module matches case-insensitively to an ASCII
# letter (tests check this table against every code point).
ASCII_FOLD_PARTNERS = {"I": "\u0131", "K": "\u212a", "S": "\u017f",
                       "i": "\u0130", "k": "\u212a", "s": "\u017f"}


def available() -> bool:
    """Whether the `hyperscan` package can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("hyperscan") is not None


# -- translation -----------------------------------------------------------------------

class _Unsupported(Exception):
    """The pattern uses something the translation does not handle: no native plan."""


@dataclass(frozen=True, slots=True)
class Plan:
    """How Hyperscan covers one pattern."""

    expression: str
    width: float  # longest match, or inf (then `barrier_src` bounds where a match starts)
    margin: int
    barrier_src: str | None


@functools.lru_cache(maxsize=4096)
def _ascii_members(source: str, ignorecase: bool) -> frozenset[int]:
    """The ASCII code points a one-character regex matches, asked of `regex` itself."""
    compiled = regex.compile(source, regex.IGNORECASE if ignorecase else 0)
    return frozenset(c for c in range(128) if compiled.fullmatch(chr(c)))


def _digit_chars() -> str:
    """Every non-ASCII decimal digit (DIGIT_ZEROS and the nine after each)."""
    return "".join(chr(zero + k) for zero in DIGIT_ZEROS for k in range(10))


@functools.lru_cache(maxsize=1)
def _non_ascii_samples() -> tuple[str, str]:
    """Every non-ASCII code point scanned as `?` (lone surrogates too), and every one
    scanned as the digit stand-in: built once, when a database is first translated."""
    import itertools
    import sys

    digits = _digit_chars()
    gaps, low = [], 128
    for zero in sorted(DIGIT_ZEROS):
        gaps.append(range(low, zero))
        low = zero + 10
    gaps.append(range(low, sys.maxunicode + 1))
    return "".join(map(chr, itertools.chain.from_iterable(gaps))), digits


@functools.lru_cache(maxsize=4096)
def _stand_ins(source: str, ignorecase: bool) -> tuple[bool, bool]:
    """Whether a one-character regex matches some non-ASCII character scanned as `?`,
    and some scanned as the digit stand-in, asked of `regex` itself (a few ms)."""
    compiled = regex.compile(source, regex.IGNORECASE if ignorecase else 0)
    others, digits = _non_ascii_samples()
    return compiled.search(others) is not None, compiled.search(digits) is not None


def _class_text(ascii_set: frozenset[int], other: bool, digit: bool = False) -> str:
    """A Hyperscan class of `ascii_set`, plus `?` if the node can match a non-ASCII
    character that is not a digit, and the digit stand-in if it can match a non-ASCII
    digit (the text is scanned with those replaced by them, see `stand_in_bytes`)."""
    members = set(ascii_set)
    if other:
        members.add(STAND_IN)
    if digit:
        members.add(DIGIT_STAND_IN)
    if not members:
        raise _Unsupported("a class that matches nothing")
    ranges: list[tuple[int, int]] = []
    for c in sorted(members):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    body = "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}" for a, b in ranges)
    return f"[{body}]"


def _member_source(op: Any, av: Any) -> str:
    src = pure._member(op, av)
    if src is None:
        raise _Unsupported(f"class member {op}")
    return src


class _Translator:
    def __init__(self) -> None:
        self.groups: dict[int, tuple[str, bool]] = {}  # number -> (expression, ignorecase)

    def seq(self, items: Any, icase: bool, dotall: bool) -> str:
        return "".join(self.node(op, av, icase, dotall) for op, av in items)

    def node(self, op: Any, av: Any, icase: bool, dotall: bool) -> str:
        if op is _c.LITERAL:
            return self.literal(av, icase)
        if op is _c.NOT_LITERAL:
            source = f"[^{_member_source(_c.LITERAL, av)}]"
            return _class_text(_ascii_members(source, icase), *_stand_ins(source, icase))
        if op is _c.IN:
            return self.char_class(av, icase)
        if op is _c.ANY:  # every non-ASCII character, digits too
            asc = frozenset(range(128)) if dotall else frozenset(range(128)) - {10}
            return _class_text(asc, True, True)
        if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
            return ""  # dropping a condition only adds matches
        if op is _c.SUBPATTERN:
            group, add, dele, body = av
            if (add | dele) & (_c.SRE_FLAG_LOCALE | _c.SRE_FLAG_VERBOSE):
                raise _Unsupported("locale or verbose group flags")
            inner_icase = (icase or bool(add & _c.SRE_FLAG_IGNORECASE)) and not (
                dele & _c.SRE_FLAG_IGNORECASE)
            inner_dotall = (dotall or bool(add & _c.SRE_FLAG_DOTALL)) and not (
                dele & _c.SRE_FLAG_DOTALL)
            text = self.seq(body, inner_icase, inner_dotall)
            if group is not None:
                self.groups[group] = (text, inner_icase)
            return f"(?:{text})"
        if op is getattr(_c, "ATOMIC_GROUP", None):
            return f"(?:{self.seq(av, icase, dotall)})"
        if op is _c.BRANCH:
            return "(?:" + "|".join(self.seq(b, icase, dotall) for b in av[1]) + ")"
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, body = av
            inner = self.seq(body, icase, dotall)
            # Long counted repeats cost Hyperscan seconds to compile; a looser count
            # matches more, which is all a prefilter needs.
            lo = min(lo, REPEAT_CAP)
            if hi > REPEAT_CAP:
                hi = _c.MAXREPEAT
            if hi >= _c.MAXREPEAT:
                return f"(?:{inner}){{{lo},}}"
            return f"(?:{inner}){{{lo},{hi}}}"
        if op is _c.GROUPREF:
            # The same text as the group matched: the group's own expression covers it.
            known = self.groups.get(av)
            if known is None or (icase and not known[1]):
                raise _Unsupported("backreference to an open group or across case flags")
            return f"(?:{known[0]})"
        raise _Unsupported(f"operator {op}")

    def literal(self, code: int, icase: bool) -> str:
        if code >= 128:
            # Any case variant of a non-ASCII letter is either non-ASCII (a stand-in) or
            # one of the ASCII letters `regex` folds it to.
            source = _member_source(_c.LITERAL, code)
            asc = _ascii_members(source, True) if icase else frozenset()
            return _class_text(asc, *_stand_ins(source, icase))
        if not icase:
            return _class_text(frozenset({code}), False)
        asc = _ascii_members(_member_source(_c.LITERAL, code), True)
        return _class_text(asc, any(chr(c) in ASCII_FOLD_PARTNERS for c in asc))

    def char_class(self, items: Any, icase: bool) -> str:
        negated = bool(items) and items[0][0] is _c.NEGATE
        members = items[1:] if negated else items
        sources = [_member_source(o, a) for o, a in members]
        source = ("[^" if negated else "[") + "".join(sources) + "]"
        asc = _ascii_members(source, icase)
        if not negated and all(o is _c.LITERAL and a < 128 or o is _c.RANGE and a[1] < 128
                               for o, a in members):
            # ASCII code points only: a non-ASCII character (no digit) only as the case
            # variant of a letter (the usual case, cheap: no search)
            return _class_text(asc, icase and any(chr(c) in ASCII_FOLD_PARTNERS for c in asc))
        # Categories, negations and non-ASCII members: which of the non-ASCII characters
        # (`\w` and `\D` take both stand-ins, `\d` only the digit one)
        return _class_text(asc, *_stand_ins(source, icase))


def plan(pattern: str, flags: int = 0) -> Plan | None:
    """The native plan of one pattern, or None when the pure-Python prefilter handles it."""
    if pure._REGEX_ONLY.search(pattern) or flags & ~pure._KNOWN_FLAGS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pure._sre_p.parse(pattern, flags)
        lo, hi = parsed.getwidth()
    except Exception:  # noqa: BLE001 - any syntax the stdlib parser does not know
        return None
    if lo == 0:
        return None  # a match can be empty: Hyperscan would report every offset
    gflags = parsed.state.flags
    if gflags & _c.SRE_FLAG_LOCALE:
        return None
    nodes: list[tuple[Any, Any]] = []
    pure._walk(parsed.data, nodes)
    look = pure._lookaround_width(nodes, gflags)
    if look == pure._INF:
        return None
    # One more than the pure-Python slack: `$` also looks at a newline before the end.
    margin = int(look) + pure.LOOKAROUND_SLACK + 1
    width = pure._INF if hi >= _c.MAXREPEAT else float(hi)
    barrier_src = pure._barrier(nodes, gflags) if width == pure._INF else None
    if width == pure._INF and barrier_src is None:
        return None
    translator = _Translator()
    icase, dotall = bool(gflags & _c.SRE_FLAG_IGNORECASE), bool(gflags & _c.SRE_FLAG_DOTALL)
    try:
        parts = [translator.node(op, av, icase, dotall) for op, av in parsed.data]
    except _Unsupported:
        return None
    expression = "".join(parts[_lead_cut(parsed.data):])
    return Plan(expression, width, margin, barrier_src)


def _lead_cut(items: Any) -> int:
    """Where the expression may start: after a lead of classes and repeats of them, when
    it holds an unbounded repeat and a punctuation literal follows (an e-mail pattern's
    local part before `@`). Hyperscan has no literal to anchor such a lead on and runs it
    at every letter, which cost a sixth of the whole scan; the rest of the pattern, from
    the literal on, matches wherever the pattern does and ends where it ends, and the
    reported ends are all the regions need (the width stays the whole pattern's)."""
    unbounded = False
    for k, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            punctuation = av < 128 and not chr(av).isalnum() and not chr(av).isspace()
            return k if punctuation and unbounded else 0
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, body = av
            if any(o is _c.LITERAL or o is _c.SUBPATTERN for o, _ in body):
                return 0
            unbounded = unbounded or hi > REPEAT_CAP
        elif op not in (_c.IN, _c.ANY, _c.ASSERT, _c.ASSERT_NOT, _c.AT):
            return 0
    return 0


# -- the database ------------------------------------------------------------------------

def _hs_flags(hs: Any) -> int:
    return int(hs.HS_FLAG_PREFILTER)


def _compile(hs: Any, exprs: list[tuple[int, str]]) -> tuple[Any, list[int]]:
    """One database of every expression Hyperscan accepts; the ids it refused."""
    flags = _hs_flags(hs)
    refused: list[int] = []
    todo = list(exprs)
    while todo:
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        try:
            db.compile(expressions=[e.encode() for _, e in todo], ids=[i for i, _ in todo],
                       elements=len(todo), flags=[flags] * len(todo))
            return db, refused
        except hs.error:
            # The error does not say which expression: find the refused ones alone.
            kept = []
            for i, e in todo:
                one = hs.Database(mode=hs.HS_MODE_BLOCK)
                try:
                    one.compile(expressions=[e.encode()], ids=[i], elements=1, flags=[flags])
                    kept.append((i, e))
                except hs.error:
                    refused.append(i)
            todo = kept
    return None, refused


def _cache_path(digest: str) -> str:
    from dataclass_scan.keys import home_dir

    return str(home_dir() / f"hyperscan-{digest[:32]}.db")


def _plan_json(p: Plan | None) -> list[Any] | None:
    if p is None:
        return None
    return [p.expression, None if p.width == pure._INF else p.width, p.margin, p.barrier_src]


def _plan_from_json(v: Any) -> Plan | None:
    if v is None:
        return None
    expression, width, margin, barrier_src = v
    return Plan(str(expression), pure._INF if width is None else float(width), int(margin),
                None if barrier_src is None else str(barrier_src))


def _load_cached(hs: Any, path: str, count: int) -> tuple[Any, list[Plan | None]] | None:
    try:
        with open(path, "rb") as fh:
            header = json.loads(fh.readline())
            blob = fh.read()
        plans = [_plan_from_json(v) for v in header["plans"]]
        if len(plans) != count:
            return None
        return _database_from(hs, blob), plans
    except (OSError, ValueError, KeyError, TypeError, hs.error):
        return None  # missing, damaged, or built by another Hyperscan / CPU: compile


def _database_from(hs: Any, blob: bytes) -> Any:
    if not blob:
        return None  # Hyperscan refused every expression
    db = hs.loadb(blob, hs.HS_MODE_BLOCK)
    db.scratch = hs.Scratch(db)
    return db


def _store(path: str, blob: bytes, plans: list[Plan | None]) -> None:
    header = json.dumps({"plans": [_plan_json(p) for p in plans]}).encode() + b"\n"
    store_private(path, header, blob)


def store_private(path: str, *parts: bytes) -> None:
    """Write `parts` to `path` owner-only and atomically (a reader never sees half a
    file); a read-only home is not an error: the database is compiled again next time."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass  # read-only home: compile again next time


# Serialized databases this process compiled, by digest: engines built again in the same
# process (tests, `rules test`, another home folder) do not compile again.
_COMPILED: dict[str, tuple[bytes, tuple[Plan | None, ...]]] = {}


# -- scanning ------------------------------------------------------------------------------

SPARSE = 64  # at most one `?` per this many bytes: stand_in_bytes checks each of them


@functools.lru_cache(maxsize=1)
def _non_ascii_digits() -> frozenset[str]:
    return frozenset(_digit_chars())


@functools.lru_cache(maxsize=1)
def _non_ascii_digit() -> Any:
    """A non-ASCII digit, found by the stdlib `re` at a few ns per character: its first
    class (every digit below U+10000, and every character above) is a bitmap, and only a
    character in it meets the exact look-behind; one class of all the digit ranges would
    try the ranges above U+FFFF one by one at every character (20x slower)."""
    import re

    def ranges(zeros: Any) -> str:
        return "".join(f"\\U{zero:08x}-\\U{zero + 9:08x}" for zero in zeros)

    bmp = [zero for zero in DIGIT_ZEROS if zero < 0x10000]
    return re.compile(f"[{ranges(bmp)}\\U00010000-\\U0010ffff](?<=[{ranges(DIGIT_ZEROS)}])")


def stand_in_bytes(text: str) -> bytes:
    """The text as the database scans it, one byte per character so that offsets need
    no mapping: ASCII as it is, `DIGIT_STAND_IN` for a non-ASCII decimal digit, `?` for
    any other character (and lone surrogates). The translation gives each class the
    stand-ins of the non-ASCII characters it can match."""
    data = text.encode("ascii", "replace")
    if text.isascii():
        return data
    try:
        text.encode("latin-1")  # (a copy) no character above U+00FF: no non-ASCII digit
        return data
    except UnicodeEncodeError as exc:
        start = exc.start  # the first character above U+00FF: digits start at U+0660
    if data.count(b"?", start) <= (len(data) - start) // SPARSE:
        # Few `?` (real ones and every non-ASCII character): look at each of them rather
        # than search the whole text (a fourth of the cost on prose with curly quotes).
        digits = _non_ascii_digits()
        patched: bytearray | None = None
        at = data.find(b"?", start)
        while at != -1:
            if text[at] in digits:
                if patched is None:
                    patched = bytearray(data)
                patched[at] = DIGIT_STAND_IN
            at = data.find(b"?", at + 1)
        return data if patched is None else bytes(patched)
    found = _non_ascii_digit().search(text, start)
    if found is None:
        return data  # prose with curly quotes, dashes, euro signs: no digit, no copy
    patched = bytearray(data)
    for m in _non_ascii_digit().finditer(text, found.start()):
        patched[m.start()] = DIGIT_STAND_IN
    return bytes(patched)


class HsPrefilter:
    """`Prefilter` with a Hyperscan pass for texts of `min_text` characters or more.

    The database is compiled on the first text of COMPILE_TEXT characters, or loaded
    on the first text of `min_text` once it is cached, so a scan of small files never
    waits for a compile. (A caller that sets `min_text` gets Hyperscan from there on.)"""

    def __init__(self, patterns: Sequence[tuple[str, int]], *, min_text: int | None = None,
                 cache: bool = True) -> None:
        self.patterns = list(patterns)
        self.python = Prefilter(self.patterns)
        self.min_text = min_text
        self.compile_text = COMPILE_TEXT if min_text is None else min_text
        self.cache = cache
        self._digest: str | None = None
        self._plans: list[Plan | None] | None = None
        self._db: Any = None
        self._native: frozenset[int] = frozenset()
        self._rest: Prefilter | None = None  # pure-Python prefilter of the other patterns
        self._rest_index: dict[int, int] = {}

    def _prepare(self) -> None:
        import hyperscan as hs

        digest = self._key()
        path = _cache_path(digest)
        loaded = _load_cached(hs, path, len(self.patterns)) if self.cache else None
        if loaded is None and digest in _COMPILED:  # this process compiled it already
            blob, memo = _COMPILED[digest]
            loaded = (_database_from(hs, blob), list(memo))
            if self.cache:
                _store(path, blob, list(memo))
        if loaded is not None:
            db, plans = loaded
        else:
            plans = [plan(p, f) for p, f in self.patterns]
            db, refused = _compile(hs, [(i, p.expression) for i, p in enumerate(plans)
                                        if p is not None])
            for i in refused:
                plans[i] = None
            blob = bytes(hs.dumpb(db)) if db is not None else b""
            if len(_COMPILED) >= 16:
                _COMPILED.clear()
            _COMPILED[digest] = (blob, tuple(plans))
            if db is not None:
                db.scratch = hs.Scratch(db)
            if self.cache:
                _store(path, blob, plans)
        self._db = db
        self._native = frozenset(i for i, p in enumerate(plans) if p is not None)
        rest = [i for i in range(len(plans)) if plans[i] is None]
        if rest:
            # (their analyses are the full prefilter's, from the start-up cache)
            self._rest = Prefilter([self.patterns[i] for i in rest], analysed=(
                [self.python.keys[i] for i in rest], [self.python.shortest[i] for i in rest]))
            self._rest_index = {i: j for j, i in enumerate(rest)}
        self._plans = plans

    def _key(self) -> str:
        """Everything the translation and the database depend on, so a warm start reads
        the plans and the database without translating or compiling."""
        if self._digest is None:
            import hashlib
            import sys

            import hyperscan as hs

            self._digest = hashlib.sha256(json.dumps(
                [TRANSLATION_VERSION, getattr(hs, "__version__", ""), regex.__version__,
                 sys.version_info[:2], _hs_flags(hs), DIGIT_ZEROS, self.patterns]).encode()
            ).hexdigest()
        return self._digest

    def _at_hand(self) -> bool:
        """Whether the database can be had without compiling it."""
        key = self._key()
        return key in _COMPILED or (self.cache and os.path.exists(_cache_path(key)))

    @property
    def native(self) -> frozenset[int]:
        """Indexes of the patterns Hyperscan covers (compiles the database)."""
        if self._plans is None:
            self._prepare()
        return self._native

    def scan(self, text: str) -> PrefilterScan | HsScan:
        if len(text) < (MIN_TEXT if self.min_text is None else self.min_text):
            return self.python.scan(text)
        if self._plans is None:
            if len(text) < self.compile_text and not self._at_hand():
                return self.python.scan(text)
            self._prepare()
        if self._db is None:
            return self.python.scan(text)
        data = stand_in_bytes(text)
        hits: dict[int, list[int]] = {}
        budget = [len(data) // HIT_BUDGET + 1000]

        def on_match(index: int, _start: int, end: int, _flags: int, _ctx: object) -> bool:
            found = hits.get(index)
            if found is None:
                hits[index] = [end]
            else:
                found.append(end)
            budget[0] -= 1
            return budget[0] < 0  # True stops the scan

        import hyperscan as hs

        try:
            self._db.scan(data, match_event_handler=on_match)
        except (hs.ScanTerminated, hs.ScratchInUseError):  # too many hits; another thread
            return self.python.scan(text)
        if budget[0] < 0:
            return self.python.scan(text)
        return HsScan(self, text, hits)


class HsScan:
    """Reported match ends of every native pattern in one text, and their regions."""

    __slots__ = ("_pf", "_text", "_hits", "_rest_scan")

    def __init__(self, pf: HsPrefilter, text: str, hits: dict[int, list[int]]) -> None:
        self._pf = pf
        self._text = text
        self._hits = hits
        self._rest_scan: PrefilterScan | None = None

    def active(self) -> list[int]:
        """The patterns that may match, in order: those Hyperscan reported an end of,
        and those it does not cover (for the others `regions` is [])."""
        return sorted({*self._hits, *self._pf._rest_index})

    def regions(self, index: int) -> list[tuple[int, int]] | None:
        """Where pattern `index` must run: None = the whole text; [] = nowhere."""
        pf = self._pf
        if index not in pf._native:
            if pf._rest is None:
                return None
            if self._rest_scan is None:
                self._rest_scan = pf._rest.scan(self._text)
            return self._rest_scan.regions(pf._rest_index[index])
        ends = self._hits.get(index)
        if not ends:
            return []
        text = self._text
        n = len(text)
        if len(ends) > max(16, n // pure.DENSE):
            return None
        assert pf._plans is not None
        p = pf._plans[index]
        assert p is not None
        width, margin = p.width, p.margin
        barrier_rev = (pure._compile_barrier(p.barrier_src, True)
                       if p.barrier_src is not None else None)
        ends = sorted(ends)  # already in order as reported; sorting that is linear
        if barrier_rev is None:
            # A text with a value every 2 KB reports a hundred thousand ends: one
            # expression builds their windows (merge_windows takes repeated ends).
            before = int(width) + margin
            return pure.merge_windows([(end - before, end + margin) for end in ends], n)
        windows: list[tuple[int, int]] = []
        last_end = -1
        for end in ends:
            if end == last_end:
                continue
            last_end = end
            # No match contains a barrier: it starts after the last one before `end`.
            floor = max(0, end - pure.BARRIER_SEARCH)
            m = barrier_rev.search(text, floor, end)
            if m is not None:
                lo = m.start() + 1 - margin
            elif floor > 0:
                return None  # no barrier close by: give up on regions
            else:
                lo = 0
            windows.append((lo, end + margin))
        return pure.merge_windows(windows, n)

