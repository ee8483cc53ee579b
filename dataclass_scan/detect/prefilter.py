"""Prefilter: find, in one cheap pass, where each regex pattern could possibly match.

For every pattern a *key* is derived from the pattern itself (nothing is listed by hand):

- a set of literal strings of which every match must contain one (`AKIA`, `-----BEGIN `,
  `@`, `+`), found for all patterns at once with one Aho-Corasick pass over the
  case-folded text; or
- a minimum run of consecutive digits every match contains (numeric identifiers),
  found with one `\\d{k,}` scan per distinct `k`.

A pattern whose key has no occurrence in a segment is not run at all. Otherwise it runs
with `finditer(text, pos, endpos)` only over *regions*: around each occurrence, as far as
a match containing it could reach (the pattern's maximum width, or up to the nearest
character no part of the pattern can consume, such as a space for an e-mail address),
plus the widest look-around, merged. Why this gives exactly the matches of a scan of the
whole text: every match contains a key occurrence, so it lies inside that occurrence's
region; no match crosses a region boundary, so the region scan starts in the same state
as the whole-text scan; and a region ends at least one look-around width past any match
inside it, so cutting the text there (`endpos`) cannot create or change a match. The
tests compare both ways over the built-in packs, generated corpora and random patterns.

When nothing can be derived (syntax the analysis does not know, an unbounded
look-around, a key that would fire everywhere) the pattern simply runs over the whole
text. Patterns are analysed with the standard library's regular-expression parser;
syntax only the `regex` module knows makes that parser fail, which means "no key".
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex

try:  # Python 3.11+
    from re import _constants as _sre_c  # type: ignore[attr-defined]
    from re import _parser as _sre_p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

MAX_LITERALS = 64  # alternatives in one key
LOOKAROUND_SLACK = 1  # \b, ^, $ look at one neighbouring character
BARRIER_SEARCH = 4096  # how far to look for a barrier around an occurrence
SMALL_TEXT = 512  # characters; shorter texts run a pattern whole or not at all (a PDF
# page, ~2,500 characters, gains from regions: 4096 here cost a 2,000-page scan 30%)
DENSE = 512  # more than one occurrence per this many characters: scan the whole text
MERGE_GAP = 64  # regions closer than this are scanned as one
FULL_SCAN_SHARE = 0.6  # regions covering more of the text than this: scan it whole
MAX_CLUSTER_GAP = 6  # digit clusters: most other characters between neighbouring digits
_CLUSTER_GAPS = (0, 1, 3, MAX_CLUSTER_GAP)
CLUSTER_FLOOR = 5  # fewer digits than this are everywhere (years): no regions in long texts
_KNOWN_FLAGS = regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.VERBOSE
_COMMON = frozenset(" \t\n\r.,;:-'\"()/_")  # single characters too frequent to be keys
_INF = float("inf")
_DIGIT_RUN = regex.compile(r"\d+")

# Syntax the stdlib parser reads differently from the `regex` module, or not at all.
_REGEX_ONLY = regex.compile(
    r"\\[pPXRmMGKL]|\{[^}]*[ediscb]\s*[<=]|\[:\^?[A-Za-z]+:\]|\(\?[a-zA-Z]*[Vrwfbe]|\(\?\||\\N\{")


@dataclass(frozen=True, slots=True)
class PatternKey:
    """What the prefilter knows about one pattern. `literals` (folded) or `digits` > 0
    is the key; neither means the pattern always runs over the whole text."""

    literals: frozenset[str] = frozenset()
    digits: int = 0
    width: float = _INF  # longest possible match
    margin: int = 0  # longest look-around, plus one
    barrier_src: str | None = None  # a regex for a character no match can contain
    # Digit cluster key (see `_DigitShape`): every match holds `cluster_digits` digits
    # with at most `cluster_gap` other characters between neighbours, the first at most
    # `lead` characters after the match start, the last at most `trail` before its end.
    cluster_digits: int = 0
    cluster_gap: int = 0
    lead: int = 0
    trail: int = 0
    # Anchor key (see `_anchor`): a simple piece of the pattern every match holds,
    # starting at most `lead` characters after the match start; the match ends at most
    # `trail` characters after the piece starts. Two sources: any text, ASCII text.
    anchor_src: str | None = None
    anchor_ascii_src: str | None = None

    @property
    def barrier(self) -> regex.Pattern[str] | None:
        return _compile_barrier(self.barrier_src, False) if self.barrier_src else None

    @property
    def barrier_rev(self) -> regex.Pattern[str] | None:
        return _compile_barrier(self.barrier_src, True) if self.barrier_src else None

    @property
    def usable(self) -> bool:
        return (bool(self.literals) or self.digits > 0 or self.cluster_digits > 0
                or self.anchor_src is not None)


_NO_KEY = PatternKey()


@functools.lru_cache(maxsize=1024)
def _compile_barrier(src: str, reverse: bool) -> regex.Pattern[str]:
    """Compiled on first use only: compiling with `regex` costs more than the analysis."""
    return regex.compile(src, regex.REVERSE if reverse else 0)


# -- analysis -------------------------------------------------------------------------

@dataclass(slots=True)
class _Info:
    exact: frozenset[str] | None  # every string the node can match (folded), if few
    req: frozenset[str] | None  # one of these occurs in every match
    all_digits: bool  # every character the node consumes is a digit
    dmin: int  # fewest characters it consumes (meaningful when all_digits)
    pre: int  # digits guaranteed at its start
    suf: int  # ... at its end
    best: int  # longest run of digits guaranteed inside


_ZERO = _Info(frozenset({""}), None, True, 0, 0, 0, 0)
_OPAQUE = _Info(None, None, False, 0, 0, 0, 0)


def _score(lits: frozenset[str] | None) -> float:
    """Rough share of text positions where one of `lits` starts: lower is better."""
    if not lits or "" in lits:
        return _INF
    total = 0.0
    for s in lits:
        if len(s) >= 3:
            total += 1e-5
        elif len(s) == 2:
            total += 2e-3 if all(ch in _COMMON or ch.isalnum() for ch in s) else 1e-4
        else:
            total += 0.05 if (s in _COMMON or s.isalnum()) else 1e-3
    return total


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return a if _score(a) <= _score(b) else b


# Latin-1 letters whose only case partner is the other one of the pair, so `fold` maps
# every character a case-insensitive pattern lets them match onto the lower-case one
# (tests check this over every code point; not ß). `allée` is then a key, not `all`.
_LATIN1_LETTERS = frozenset("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ")


def _char_ok(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() or ch in "\t\n\r" or ch in _LATIN1_LETTERS


def _is_digit_class(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is _sre_c.LITERAL and 48 <= av <= 57:
            continue
        if op is _sre_c.RANGE and 48 <= av[0] <= av[1] <= 57:
            continue
        if op is _sre_c.CATEGORY and av in (_sre_c.CATEGORY_DIGIT,
                                            getattr(_sre_c, "CATEGORY_UNI_DIGIT", None)):
            continue
        return False
    return bool(items)


def _node(op: Any, av: Any) -> _Info:
    c = _sre_c
    if op is c.LITERAL:
        ch = chr(av)
        digit = "0" <= ch <= "9"
        d = 1 if digit else 0
        lit = frozenset({ch.lower()}) if _char_ok(ch) else None
        return _Info(lit, lit, digit, 1, d, d, d)
    if op is c.IN:
        digit = _is_digit_class(av)
        d = 1 if digit else 0
        exact = None
        if av and all(o is c.LITERAL for o, _ in av) and all(_char_ok(chr(a)) for _, a in av):
            chars = frozenset(chr(a).lower() for _, a in av)
            exact = chars if len(chars) <= 8 else None
        return _Info(exact, exact, digit, 1, d, d, d)
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return _ZERO
    if op is c.SUBPATTERN:
        return _seq(av[-1])
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is c.BRANCH:
        infos = [_seq(b) for b in av[1]]
        exact: frozenset[str] | None = None
        if all(i.exact is not None for i in infos):
            merged = frozenset().union(*(i.exact for i in infos if i.exact is not None))
            exact = merged if len(merged) <= MAX_LITERALS else None
        req: frozenset[str] | None = None
        if all(i.req for i in infos):
            merged = frozenset().union(*(i.req for i in infos if i.req))
            req = merged if len(merged) <= MAX_LITERALS else None
        req = _better(exact, req) if exact is not None else req
        all_digits = all(i.all_digits for i in infos)
        return _Info(exact, req, all_digits, min(i.dmin for i in infos),
                     min(i.pre for i in infos), min(i.suf for i in infos),
                     min(i.best for i in infos))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        inner = _seq(body)
        exact = None
        if inner.exact is not None and lo == hi and lo <= 4:
            combos = {"".join(p) for p in itertools.product(sorted(inner.exact), repeat=lo)}
            exact = frozenset(combos) if len(combos) <= MAX_LITERALS else None
        if inner.all_digits:
            n = lo * inner.dmin
            return _Info(exact, inner.req if lo >= 1 else exact, True, n, n, n, n)
        if lo >= 1:
            return _Info(exact, _better(exact, inner.req) if exact else inner.req, False, 0,
                         inner.pre, inner.suf, inner.best)
        return _Info(exact, None, False, 0, 0, 0, 0)
    return _OPAQUE  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, ...


def _seq(items: Any) -> _Info:
    infos = [_node(op, av) for op, av in items]
    # Literal sets: products of adjacent exact nodes, or a node's own requirement.
    req: frozenset[str] | None = None
    run: frozenset[str] = frozenset({""})
    whole = True  # `run` is the product of every node so far
    for info in infos:
        if info.exact is not None:
            prod = frozenset(a + b for a in run for b in info.exact)
            if len(prod) <= MAX_LITERALS and sum(map(len, prod)) <= 4096:
                run = prod
            else:
                req = _better(req, run)
                run = info.exact
                whole = False
        else:
            whole = False
            req = _better(req, run)
            req = _better(req, info.req)
            run = frozenset({""}) if info.exact is None else info.exact
    req = _better(req, run)
    exact = run if whole else None
    # Digit runs.
    all_digits = all(i.all_digits for i in infos)
    best = cur = 0
    pre = 0
    leading = True
    for info in infos:
        if info.all_digits:
            cur += info.dmin
            if leading:
                pre += info.dmin
        else:
            best = max(best, cur + info.pre, info.best)
            if leading:
                pre += info.pre
                leading = False
            cur = info.suf
    best = max(best, cur)
    suf = cur
    dmin = sum(i.dmin for i in infos) if all_digits else 0
    return _Info(exact, req if req and "" not in req else None, all_digits, dmin, pre, suf,
                 best)


def _walk(items: Any, found: list[tuple[Any, Any]]) -> None:
    for op, av in items:
        found.append((op, av))
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            _walk(av[1], found)
        elif op is _sre_c.SUBPATTERN:
            _walk(av[-1], found)
        elif op is _sre_c.BRANCH:
            for b in av[1]:
                _walk(b, found)
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT,
                    getattr(_sre_c, "POSSESSIVE_REPEAT", None)):
            _walk(av[2], found)
        elif op is getattr(_sre_c, "ATOMIC_GROUP", None):
            _walk(av, found)
        elif op is _sre_c.GROUPREF_EXISTS:
            _walk(av[1], found)
            if av[2] is not None:
                _walk(av[2], found)


_CATEGORY_CLASS = {
    "CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s", "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
}


def _member(op: Any, av: Any) -> str | None:
    if op is _sre_c.LITERAL:
        return f"\\U{av:08x}"
    if op is _sre_c.RANGE:
        return f"\\U{av[0]:08x}-\\U{av[1]:08x}"
    if op is _sre_c.CATEGORY:
        return _CATEGORY_CLASS.get(str(av))
    return None


_COMPLEMENTS = ((r"\w", r"\W"), (r"\d", r"\D"), (r"\s", r"\S"))


def _cased(op: Any, av: Any) -> bool:
    """Whether a class member includes a character with a case variant."""
    if op is _sre_c.LITERAL:
        ch = chr(av)
        return ch.lower() != ch.upper() or ch in _FOLD_SPECIAL
    if op is _sre_c.RANGE:
        return any(chr(c).lower() != chr(c).upper() or chr(c) in _FOLD_SPECIAL
                   for c in range(av[0], min(av[1], av[0] + 4096) + 1)) or av[1] - av[0] > 4096
    return False  # categories (\s, \d, \w) are closed under case


_FOLD_SPECIAL = "\u0130\u0131\u017f\u212a\u212b"


def _barrier(nodes: list[tuple[Any, Any]], flags: int) -> str | None:
    """A regex for one character that no match of the pattern can contain, or None."""
    ignorecase = bool(flags & _sre_c.SRE_FLAG_IGNORECASE)
    cased_negation = False  # a negated class lists a letter (its case matters)
    positive: list[str] = []
    negated: list[str] = []
    for op, av in nodes:
        if op is _sre_c.SUBPATTERN:
            add, _del = av[1], av[2]
            if add & (_sre_c.SRE_FLAG_ASCII | _sre_c.SRE_FLAG_LOCALE | _sre_c.SRE_FLAG_DOTALL):
                return None
            ignorecase = ignorecase or bool(add & _sre_c.SRE_FLAG_IGNORECASE)
        elif op is _sre_c.LITERAL:
            positive.append(_member(op, av) or "")
        elif op is _sre_c.IN:
            neg = bool(av) and av[0][0] is _sre_c.NEGATE
            items = av[1:] if neg else av
            members = [_member(o, a) for o, a in items]
            if any(m is None for m in members):
                return None
            if neg and any(_cased(o, a) for o, a in items):
                cased_negation = True
            if neg:
                negated.append("".join(m for m in members if m))
            else:
                positive.extend(m for m in members if m)
        elif op is _sre_c.ANY:
            if flags & _sre_c.SRE_FLAG_DOTALL:
                return None
            negated.append(r"\n")
        elif op in (_sre_c.NOT_LITERAL, _sre_c.GROUPREF_EXISTS):
            return None
    if flags & (_sre_c.SRE_FLAG_ASCII | _sre_c.SRE_FLAG_LOCALE):
        return None
    if cased_negation and ignorecase:
        return None
    members = "".join(positive)
    if any(a in members and b in members for a, b in _COMPLEMENTS):
        return None  # the pattern can consume every character: no barrier
    # One look-ahead per member rather than one negated set: the `regex` module gets
    # some negated sets wrong (`[^\w\W]` matches letters).
    body = "".join(f"(?=[{m}])" for m in dict.fromkeys(negated))
    body += "".join(f"(?!{m if m.startswith(chr(92)) and len(m) == 2 else '[' + m + ']'})"
                    for m in dict.fromkeys(positive))
    return ("(?i)" if ignorecase else "") + body + r"[\s\S]"


def _lookaround_width(nodes: list[tuple[Any, Any]], flags: int) -> float:
    widest = 0.0
    for op, av in nodes:
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            try:
                hi = av[1].getwidth()[1]
            except Exception:  # noqa: BLE001 - unknown node: no key
                return _INF
            widest = max(widest, _INF if hi >= _sre_c.MAXREPEAT else hi)
    return widest

# -- digit clusters -------------------------------------------------------------------
#
# Numeric identifiers (cards, SSNs, phone numbers, tax numbers) share no literal, and
# runs of three or four digits are everywhere in business text (years, amounts,
# versions). What sets a match apart is how many digits it holds close together: a card
# number has 13+ digits with at most one separator between neighbours. So the key of such
# a pattern is a *cluster*: a maximal stretch of the text whose digits are at most `g`
# other characters apart. Every match's guaranteed digits are that close to each other,
# so they lie in one cluster, which therefore holds at least as many digits; and the
# match lies within `lead` characters before and `trail` after that cluster.


@dataclass(slots=True)
class _DigitShape:
    """Digits every match of a node must hold (`dig`), and, when dig > 0, the most
    characters before the first of them (`lead`), after the last (`trail`) and between
    neighbours (`gap`); `wmax` is the node's longest match."""

    dig: int
    wmax: float
    lead: float = 0
    trail: float = 0
    gap: float = 0


def _shape_node(op: Any, av: Any, gw: Sequence[Any]) -> _DigitShape:
    c = _sre_c
    if op is c.LITERAL:
        return _DigitShape(1, 1) if 48 <= av <= 57 else _DigitShape(0, 1)
    if op is c.IN:
        return _DigitShape(1, 1) if _is_digit_class(av) else _DigitShape(0, 1)
    if op in (c.ANY, c.NOT_LITERAL):
        return _DigitShape(0, 1)
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return _DigitShape(0, 0)
    if op is c.SUBPATTERN:
        return _shape_seq(av[-1], gw)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _shape_seq(av, gw)
    if op is c.BRANCH:
        shapes = [_shape_seq(b, gw) for b in av[1]]
        wmax = max(sh.wmax for sh in shapes)
        if all(sh.dig for sh in shapes):
            return _DigitShape(min(sh.dig for sh in shapes), wmax,
                               max(sh.lead for sh in shapes), max(sh.trail for sh in shapes),
                               max(sh.gap for sh in shapes))
        return _DigitShape(0, wmax)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        inner = _shape_seq(body, gw)
        times = _INF if hi >= c.MAXREPEAT else hi
        wmax = 0.0 if inner.wmax == 0 or times == 0 else inner.wmax * times
        if inner.dig and lo >= 1:
            gap = inner.gap if times == 1 else max(inner.gap, inner.trail + inner.lead)
            return _DigitShape(inner.dig * lo, wmax, inner.lead, inner.trail, gap)
        return _DigitShape(0, wmax)  # optional digits count as other characters
    if op is c.GROUPREF:  # as long as the group; its digits are not counted again
        widths = gw[av] if 0 <= av < len(gw) else None
        return _DigitShape(0, widths[1] if widths and widths[1] < c.MAXREPEAT else _INF)
    return _DigitShape(0, _INF)  # GROUPREF_EXISTS, anything unknown


def _shape_seq(items: Any, gw: Sequence[Any]) -> _DigitShape:
    dig = 0
    wmax = 0.0
    lead = gap = 0.0
    pending = 0.0  # characters since the last guaranteed digit (or the start)
    for op, av in items:
        node = _shape_node(op, av, gw)
        wmax += node.wmax
        if not node.dig:
            pending += node.wmax
            continue
        if dig:
            gap = max(gap, pending + node.lead)
        else:
            lead = pending + node.lead
        gap = max(gap, node.gap)
        dig += node.dig
        pending = node.trail
    return _DigitShape(dig, wmax, lead, pending, gap) if dig else _DigitShape(0, wmax)


def _cluster_key(parsed: Any, width: float) -> tuple[int, int, int, int] | None:
    """(digits, gap, lead, trail) of a pattern's cluster key, or None."""
    try:
        shape = _shape_seq(parsed.data, getattr(parsed.state, "groupwidths", ()) or ())
    except Exception:  # noqa: BLE001 - a node the analysis does not know: no key
        return None
    if shape.dig < 2 or shape.gap > MAX_CLUSTER_GAP:
        return None
    lead, trail = min(shape.lead, width), min(shape.trail, width)
    if lead == _INF or trail == _INF:
        return None
    # Few distinct gaps, so few passes to find clusters: a larger gap only groups more.
    gap = next(g for g in _CLUSTER_GAPS if g >= shape.gap)
    return shape.dig, gap, int(lead), int(trail)

# -- anchors ----------------------------------------------------------------------------
#
# Some patterns have no rare literal and few digits (`[A-Z]{2}\d{2}...` IBANs, ICD-10
# codes, BICs, dates) and would run over the whole text, where their look-behinds and
# Unicode classes make the `regex` module slow. Their top-level sequence often holds a
# run of simple nodes (characters, classes, bounded repeats, groups) that is rare in
# prose: `[A-Z]{2}\d{2}`. That run, as a look-ahead (every occurrence, overlapping ones
# too), is found fast, and the pattern then runs only around its occurrences.

_P_LOWER, _P_UPPER, _P_DIGIT, _P_SPACE, _P_OTHER = 0.029, 0.0012, 0.002, 0.15, 0.002
_P_PUNCT = dict.fromkeys(".,;:-'\"()/", 0.005)
ANCHOR_RARITY = 1e-4  # at most this share of text positions may start the anchor


def _char_p(c: int) -> float:
    ch = chr(c)
    if "a" <= ch <= "z":
        return _P_LOWER
    if "A" <= ch <= "Z":
        return _P_UPPER
    if "0" <= ch <= "9":
        return _P_DIGIT
    if ch in " \t\n":
        return _P_SPACE
    return _P_PUNCT.get(ch, _P_OTHER if ch.isascii() else 0.0005)


_CATEGORY_P = {"CATEGORY_DIGIT": 0.02, "CATEGORY_WORD": 0.8, "CATEGORY_SPACE": 0.16}


def _class_src(items: list[tuple[Any, Any]], ascii_text: bool) -> tuple[str, float] | None:
    neg = bool(items) and items[0][0] is _sre_c.NEGATE
    parts: list[str] = []
    p = 0.0
    for op, av in items[1:] if neg else items:
        if op is _sre_c.LITERAL:
            parts.append(f"\\U{av:08x}")
            p += _char_p(av)
        elif op is _sre_c.RANGE:
            parts.append(f"\\U{av[0]:08x}-\\U{av[1]:08x}")
            p += sum(_char_p(c) for c in range(av[0], min(av[1], av[0] + 300) + 1))
        elif op is _sre_c.CATEGORY:
            name = str(av)
            if name == "CATEGORY_DIGIT" and ascii_text:
                parts.append("0-9")
            elif name in _CATEGORY_CLASS:
                parts.append(_CATEGORY_CLASS[name])
            else:
                return None
            base = name.replace("_NOT", "")
            p += (1 - _CATEGORY_P.get(base, 0.5)) if "_NOT_" in name else _CATEGORY_P.get(
                base, 0.5)
        else:
            return None
    p = min(p, 1.0)
    return ("[" + ("^" if neg else "") + "".join(parts) + "]", 1 - p if neg else p)


def _piece_src(op: Any, av: Any, ascii_text: bool) -> tuple[str, float, int, float] | None:
    """(regex source, chance per position, fewest, most characters) of one node, if it
    is simple enough to be part of an anchor."""
    c = _sre_c
    if op is c.LITERAL:
        return f"\\U{av:08x}", _char_p(av), 1, 1
    if op is c.NOT_LITERAL:
        return f"[^\\U{av:08x}]", 1.0, 1, 1
    if op is c.ANY:
        return ".", 1.0, 1, 1
    if op is c.IN:
        got = _class_src(av, ascii_text)
        return None if got is None else (got[0], got[1], 1, 1)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        lo, hi, body = av
        if hi >= c.MAXREPEAT:
            return None
        inner = _seq_src(body, ascii_text)
        if inner is None:
            return None
        src, p, wmin, wmax = inner
        return f"(?:{src}){{{lo},{hi}}}", p ** lo, wmin * lo, wmax * hi
    if op is c.SUBPATTERN:
        if av[1] or av[2]:
            return None  # scoped flags
        inner = _seq_src(av[-1], ascii_text)
        return None if inner is None else (f"(?:{inner[0]})", *inner[1:])
    if op is c.BRANCH:
        branches = [_seq_src(b, ascii_text) for b in av[1]]
        if any(b is None for b in branches):
            return None
        ok = [b for b in branches if b is not None]
        return ("(?:" + "|".join(b[0] for b in ok) + ")", min(1.0, sum(b[1] for b in ok)),
                min(b[2] for b in ok), max(b[3] for b in ok))
    return None


def _seq_src(items: Any, ascii_text: bool) -> tuple[str, float, int, float] | None:
    src, p, wmin, wmax = "", 1.0, 0, 0.0
    for op, av in items:
        got = _piece_src(op, av, ascii_text)
        if got is None:
            return None
        src += got[0]
        p *= got[1]
        wmin += got[2]
        wmax += got[3]
    return src, p, wmin, wmax


def _anchor(parsed: Any, flags: int) -> tuple[str, str, int, int] | None:
    """The rarest run of simple top-level nodes: (source, ASCII-text source, lead,
    trail), or None."""
    items = list(parsed.data)
    widths = []
    for op, av in items:
        try:
            widths.append(float(_sre_p.SubPattern(parsed.state, [(op, av)]).getwidth()[1]))
        except Exception:  # noqa: BLE001 - no key
            return None
    widths = [_INF if w >= _sre_c.MAXREPEAT else w for w in widths]
    best: tuple[float, int, int] | None = None
    n = len(items)
    for i in range(n):
        # The `regex` module finds an anchor fast when its first character is rare.
        first = _piece_src(*items[i], False) if items[i][0] in (
            _sre_c.LITERAL, _sre_c.IN, _sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) else None
        if first is None or (first[1] if first[2] else 1.0) ** (1 / max(first[2], 1)) > 0.035:
            continue
        for j in range(i + 1, n + 1):
            got = _seq_src(items[i:j], False)
            if got is None:
                break
            p, wmin = got[1], got[2]
            if wmin >= 1 and (best is None or p < best[0]):
                best = (p, i, j)
    if best is None or best[0] > ANCHOR_RARITY:
        return None
    _p, i, j = best
    lead = sum(widths[:i])
    trail = sum(widths[i:])
    if lead == _INF or trail == _INF:
        return None
    prefix = _flag_prefix(flags)
    plain = _seq_src(items[i:j], False)
    ascii_ = _seq_src(items[i:j], True)
    assert plain is not None and ascii_ is not None
    return prefix + plain[0], prefix + ascii_[0], int(lead), int(trail)


def _flag_prefix(flags: int) -> str:
    out = ""
    if flags & _sre_c.SRE_FLAG_DOTALL:
        out += "s"
    if flags & _sre_c.SRE_FLAG_MULTILINE:
        out += "m"
    return f"(?{out})" if out else ""


@functools.lru_cache(maxsize=256)
def _parse(pattern: str, flags: int) -> Any:
    """The stdlib parser's tree of a pattern (for `analyze` and `shortest`); raises on
    syntax it does not know."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _sre_p.parse(pattern, flags)


def shortest(pattern: str, flags: int = 0) -> int:
    """The fewest characters a match consumes (look-arounds consume none); 0 when unsure.
    A text shorter than that cannot hold a match: most table cells are."""
    if _REGEX_ONLY.search(pattern) or flags & ~_KNOWN_FLAGS:
        return 0
    try:
        return int(_parse(pattern, flags).getwidth()[0])
    except Exception:  # noqa: BLE001 - any syntax the stdlib parser does not know
        return 0


def analyze(pattern: str, flags: int = 0) -> PatternKey:
    """Derive the prefilter key of one pattern; `PatternKey()` (no key) when unsure."""
    if _REGEX_ONLY.search(pattern) or flags & ~_KNOWN_FLAGS:
        return _NO_KEY
    try:
        parsed = _parse(pattern, flags)
        lo_hi = parsed.getwidth()
    except Exception:  # noqa: BLE001 - any syntax the stdlib parser does not know
        return _NO_KEY
    gflags = parsed.state.flags
    nodes: list[tuple[Any, Any]] = []
    _walk(parsed.data, nodes)
    look = _lookaround_width(nodes, gflags)
    if look == _INF:
        return _NO_KEY
    margin = int(look) + LOOKAROUND_SLACK
    width = _INF if lo_hi[1] >= _sre_c.MAXREPEAT else float(lo_hi[1])
    barrier_src = _barrier(nodes, gflags)
    key = _strongest(parsed, gflags, width, margin, barrier_src)
    if key.literals or key.cluster_digits >= CLUSTER_FLOOR or key.digits >= CLUSTER_FLOOR:
        return key
    # Weak or no key: an anchor, if the pattern has a rare one.
    # (Case-insensitive patterns are left out: the rarity estimate assumes case.)
    if gflags & ~(_sre_c.SRE_FLAG_DOTALL | _sre_c.SRE_FLAG_MULTILINE
                  | _sre_c.SRE_FLAG_UNICODE | _sre_c.SRE_FLAG_VERBOSE):
        return key
    anchor = _anchor(parsed, gflags)
    if anchor is None:
        return key
    src, ascii_src, lead, trail = anchor
    return PatternKey(width=width, margin=margin, lead=lead, trail=trail, anchor_src=src,
                      anchor_ascii_src=ascii_src)


def _strongest(parsed: Any, gflags: int, width: float, margin: int,
               barrier_src: str | None) -> PatternKey:
    info = _seq(parsed.data)
    lits = info.req
    lit_score = _score(lits)
    digits = info.best
    strong_literals = bool(lits) and lit_score <= 0.005
    cluster = None if strong_literals else _cluster_key(parsed, width)
    if cluster is not None and cluster[0] >= digits:
        n, gap, lead, trail = cluster
        return PatternKey(width=width, margin=margin, cluster_digits=n, cluster_gap=gap,
                          lead=lead, trail=trail)
    if width == _INF and barrier_src is None:
        return _NO_KEY
    if strong_literals:
        return PatternKey(literals=lits, width=width, margin=margin, barrier_src=barrier_src)
    if digits >= 1:
        return PatternKey(digits=digits, width=width, margin=margin, barrier_src=barrier_src)
    if lits and lit_score < 0.5:
        return PatternKey(literals=lits, width=width, margin=margin, barrier_src=barrier_src)
    return _NO_KEY


# -- scanning -------------------------------------------------------------------------

_FOLD_FIX = {0x130: "i", 0x17F: "s", 0x212A: "k"}  # İ, long s, Kelvin sign


def fold(text: str) -> str | None:
    """Lower-case `text` keeping every offset, such that wherever a case-insensitive
    pattern matches an ASCII literal the folded text holds that literal in lower case.
    None if lengths would change (then every pattern runs over the whole text)."""
    if text.isascii():
        return text.lower()
    folded = text.translate(_FOLD_FIX).lower()
    return folded if len(folded) == len(text) else None


def merge_windows(windows: Sequence[tuple[int, int]], n: int) -> list[tuple[int, int]] | None:
    """Regions from the windows around key occurrences, in occurrence order: clipped to
    the text of length `n`, those closer than MERGE_GAP scanned as one; None when they
    would cover most of the text (a whole-text scan is then cheaper)."""
    out: list[tuple[int, int]] = []
    cur_lo = cur_hi = -1
    covered = 0
    for lo, hi in windows:
        if lo < 0:
            lo = 0
        if hi > n:
            hi = n
        if cur_hi >= 0 and lo <= cur_hi + MERGE_GAP:
            if hi > cur_hi:
                cur_hi = hi
            continue
        if cur_hi >= 0:
            out.append((cur_lo, cur_hi))
            covered += cur_hi - cur_lo
        cur_lo, cur_hi = lo, hi
    out.append((cur_lo, cur_hi))
    covered += cur_hi - cur_lo
    if covered > FULL_SCAN_SHARE * n:
        return None
    return out


CACHED_PATTERNS = 16  # from this many patterns on, analyses come from the start-up cache


def analyses(patterns: Sequence[tuple[str, int]]) -> tuple[list[PatternKey], list[int]]:
    """`analyze` and `shortest` of every pattern. Analysing the built-in packs' patterns
    took a fifth of the start-up of a one-file scan, so the results of a long list are
    kept in the start-up cache (detect/startcache.py), keyed by the patterns and flags;
    a handful of patterns is analysed faster than a cache file is checked."""
    if len(patterns) < CACHED_PATTERNS:
        return [analyze(p, f) for p, f in patterns], [shortest(p, f) for p, f in patterns]
    from dataclass_scan.detect import startcache

    key = startcache.digest(*(f"{int(f)}:{p}" for p, f in patterns))
    name = "prefilter-" + key[:32]
    stored = startcache.get(name, key)
    if (isinstance(stored, tuple) and len(stored) == 2
            and all(isinstance(x, list) and len(x) == len(patterns) for x in stored)):
        return stored
    found = ([analyze(p, f) for p, f in patterns], [shortest(p, f) for p, f in patterns])
    startcache.put(name, key, found)
    return found


_FREQUENCY = {ch: rank for rank, ch in enumerate(" etaoinshrdlcumwfgypbvkjxqz0123456789.,-")}


def _by_frequency(literal: str) -> tuple[int, ...]:
    """Sort key: the literal's characters by how common each is in (folded) text."""
    return tuple(_FREQUENCY.get(ch, 100 + ord(ch)) for ch in literal)


class Prefilter:
    """Keys for a list of patterns; `scan(text)` gives each pattern's regions."""

    def __init__(self, patterns: Sequence[tuple[str, int]], *,
                 analysed: tuple[list[PatternKey], list[int]] | None = None) -> None:
        # `analysed`: the patterns' `analyses`, when the caller has them already.
        self.keys, self.shortest = analysed if analysed is not None else analyses(patterns)
        self._automaton: Any = None
        by_literal: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            for lit in key.literals:
                by_literal.setdefault(lit, []).append(i)
        if by_literal:
            import ahocorasick

            self._automaton = ahocorasick.Automaton()
            # A trie node's children are searched one by one in the order they were
            # added, at every character of the text: literals added by how common their
            # characters are in text make that search short (same hits; 20% less work).
            for lit in sorted(by_literal, key=_by_frequency):
                self._automaton.add_word(lit, (len(lit), tuple(by_literal[lit])))
            self._automaton.make_automaton()
        # Per cluster gap, the fewest digits a pattern worth regions needs.
        self.cluster_floor: dict[int, int] = {}
        for key in self.keys:
            if key.cluster_digits >= CLUSTER_FLOOR:
                have = self.cluster_floor.get(key.cluster_gap, key.cluster_digits)
                self.cluster_floor[key.cluster_gap] = min(have, key.cluster_digits)
        # For `PrefilterScan.active`: patterns by the kind of their key, in the order
        # `regions` tells them apart.
        self._cluster_keyed: dict[int, list[tuple[int, int]]] = {}  # gap -> (digits, index)
        self._anchor_keyed: list[int] = []
        self._literal_keyed: list[int] = []
        self._digit_keyed: dict[int, list[int]] = {}
        self._other_keyed: list[int] = []
        for i, key in enumerate(self.keys):
            if key.cluster_digits:
                self._cluster_keyed.setdefault(key.cluster_gap, []).append(
                    (key.cluster_digits, i))
            elif key.anchor_src is not None:
                self._anchor_keyed.append(i)
            elif key.literals:
                self._literal_keyed.append(i)
            elif key.digits:
                self._digit_keyed.setdefault(key.digits, []).append(i)
            else:
                self._other_keyed.append(i)
        self._literal_set = frozenset(self._literal_keyed)
        # By digit count, so that a short text (a table cell) cuts the list where its
        # digits run out.
        for members in self._cluster_keyed.values():
            members.sort()
        self._cluster_counts = {gap: [d for d, _ in members]
                                for gap, members in self._cluster_keyed.items()}
        self._anchors: dict[bool, list[tuple[int, Any]]] = {}  # ascii text -> compiled

    def scan(self, text: str) -> PrefilterScan:
        return PrefilterScan(self, text)

    def anchors(self, ascii_text: bool) -> list[tuple[int, Any]]:
        """The anchor-keyed patterns and their compiled anchors, for an ASCII text or
        any other."""
        found = self._anchors.get(ascii_text)
        if found is None:
            found = self._anchors[ascii_text] = [
                (i, _compile_anchor((self.keys[i].anchor_ascii_src if ascii_text
                                     else self.keys[i].anchor_src) or ""))
                for i in self._anchor_keyed]
        return found


class PrefilterScan:
    """Occurrences of every key in one text, and the regions derived from them."""

    __slots__ = ("_pf", "_text", "_hits", "_digit_hits", "_failed", "_small_digits",
                 "_clusters", "_cluster_memo")

    def __init__(self, pf: Prefilter, text: str) -> None:
        self._pf = pf
        self._text = text
        self._hits: dict[int, list[tuple[int, int]]] = {}
        self._digit_hits: dict[int, list[tuple[int, int]] | None] = {}
        self._small_digits: dict[int, bool] = {}
        self._clusters: dict[int, dict[int, list[tuple[int, int]]]] = {}
        # (gap, digits): sorted clusters; (gap, digits, before, after): regions.
        self._cluster_memo: dict[tuple[int, ...], list[tuple[int, int]] | None] = {}
        self._failed = False
        if pf._automaton is not None:
            folded = fold(text)
            if folded is None:
                self._failed = True
                return
            hits = self._hits
            for end_idx, (length, idxs) in pf._automaton.iter(folded):
                span = (end_idx + 1 - length, end_idx + 1)
                for i in idxs:
                    lst = hits.get(i)
                    if lst is None:
                        hits[i] = [span]
                    elif lst[-1] != span:
                        lst.append(span)

    def active(self) -> list[int]:
        """The patterns that may match, ascending: every one whose `regions` is not []
        and whose shortest match fits in the text (in a text longer than SMALL_TEXT,
        some with a digit or anchor key whose regions are [] too). One call instead of
        one per pattern, which cost more than scanning a table cell."""
        pf = self._pf
        n = len(self._text)
        short = pf.shortest
        out = [i for i in pf._other_keyed if short[i] <= n]
        if self._failed:
            out.extend(i for i in pf._literal_keyed if short[i] <= n)
        else:
            out.extend(i for i in self._hits if i in pf._literal_set and short[i] <= n)
        if n > SMALL_TEXT:
            out.extend(pf._anchor_keyed)
            for indices in pf._digit_keyed.values():
                out.extend(indices)
            # A page of prose wakes few of the numeric identifiers (it has no cluster of
            # 11 digits): the largest cluster per gap says which, as `_cluster_regions`
            # would one pattern at a time.
            for gap, members in pf._cluster_keyed.items():
                most = -1
                for digits, i in members:
                    if digits < CLUSTER_FLOOR:
                        if self._has_digit():
                            out.append(i)
                        continue
                    if most < 0:
                        most = max(self._cluster_buckets(gap), default=0)
                    if digits <= most:
                        out.append(i)
            out.sort()
            return out
        for i, anchor in pf.anchors(self._text.isascii()):
            if short[i] <= n and anchor.search(self._text) is not None:
                out.append(i)
        runs = _DIGIT_RUN.findall(self._text) if pf._digit_keyed or pf._cluster_keyed else []
        if runs or (self._failed and pf._digit_keyed):
            # (no digit: no digit key holds and no cluster fits; most cells of a table)
            longest = max(map(len, runs), default=0)
            for k, indices in pf._digit_keyed.items():
                if self._failed or k <= longest:  # (`regions` ignores digits if failed)
                    out.extend(i for i in indices if short[i] <= n)
            total = sum(map(len, runs))  # no cluster holds more digits than this
            for gap, members in pf._cluster_keyed.items():
                upto = bisect.bisect_right(pf._cluster_counts[gap], total)
                fit = [(digits, i) for digits, i in members[:upto] if short[i] <= n]
                if fit:
                    most = max(self._cluster_buckets(gap), default=0)
                    out.extend(i for digits, i in fit if digits <= most)
        out.sort()
        return out

    def regions(self, index: int) -> list[tuple[int, int]] | None:
        """Where pattern `index` must run: None = the whole text; [] = nowhere."""
        key = self._pf.keys[index]
        if key.cluster_digits:
            return self._cluster_regions(key)
        if key.anchor_src is not None:
            return self._anchor_regions(index, key)
        if not key.usable or self._failed:
            return None
        text = self._text
        n = len(text)
        if n <= SMALL_TEXT:  # regions would not pay for themselves: all or nothing
            if key.literals:
                return None if index in self._hits else []
            found = self._small_digits.get(key.digits)
            if found is None:
                found = self._small_digits[key.digits] = (
                    _digit_run_re(key.digits, text.isascii()).search(text) is not None)
            return None if found else []
        # Dense occurrences mean regions would cover most of the text: scan it whole.
        most = max(16, n // DENSE)
        if key.literals:
            hits = self._hits.get(index, [])
            if len(hits) > most:
                return None
            if len(key.literals) > 1:
                hits = sorted(hits)
        else:
            if key.digits < CLUSTER_FLOOR:  # short runs are everywhere: all or nothing
                return None if self._has_digit() else []
            found = self._digit_hits.get(key.digits, ())
            if found == ():
                found = []
                # A run of that many digits lies inside a wide cluster, if it is long.
                spans = (self._wide_clusters() if key.digits >= CLUSTER_FLOOR
                         else [(0, n)])
                run = _digit_run_re(key.digits, text.isascii())
                for lo, hi in spans:
                    for m in run.finditer(text, lo, hi):
                        found.append(m.span())
                    if len(found) > most:
                        found = None
                        break
                self._digit_hits[key.digits] = found
            if found is None:
                return None
            hits = found
        if not hits:
            return []
        width, margin = key.width, key.margin
        barrier, barrier_rev = key.barrier, key.barrier_rev
        windows: list[tuple[int, int]] = []
        for a, b in hits:
            if width != _INF:
                lo = a - int(width) - margin
                hi = b + int(width) + margin
            else:
                lo, hi = 0, n
            if width == _INF and barrier is not None and barrier_rev is not None:
                floor = max(0, lo, a - BARRIER_SEARCH)
                m = barrier_rev.search(text, floor, a)
                if m is not None:
                    lo = max(lo, m.start() + 1 - margin)
                elif floor > max(lo, 0):
                    return None  # no barrier close by: give up on regions
                ceil = min(n, hi, b + BARRIER_SEARCH)
                m = barrier.search(text, b, ceil)
                if m is not None:
                    hi = min(hi, m.start() + margin)
                elif ceil < min(hi, n):
                    return None
            windows.append((lo, hi))
        return merge_windows(windows, n)

    def _cluster_buckets(self, gap: int) -> dict[int, list[tuple[int, int]]]:
        """Clusters, `gap` apart at most, by their digit count: those of at least two
        digits in a small text; in a larger one only those that can wake a pattern whose
        key is worth regions (see `Prefilter.cluster_floor`), found inside the wide
        clusters (a cluster is never wider than the wide cluster holding it)."""
        buckets = self._clusters.get(gap)
        if buckets is None:
            buckets = self._clusters[gap] = {}
            text = self._text
            if len(text) <= SMALL_TEXT:
                floor, spans = 2, [(0, len(text))]
            else:
                floor = self._pf.cluster_floor.get(gap, 0)
                if not floor:
                    return buckets
                spans = self._wide_clusters()
            find = _cluster_re(gap, floor, text.isascii()).finditer
            for lo, hi in spans:
                for m in find(text, lo, hi):
                    s, e = m.span()
                    if gap == 0:
                        count = e - s
                    else:
                        seg = text[s:e]
                        count = e - s if seg.isdecimal() else sum(map(str.isdecimal, seg))
                    lst = buckets.get(count)
                    if lst is None:
                        buckets[count] = [(s, e)]
                    else:
                        lst.append((s, e))
        return buckets

    def _anchor_regions(self, index: int, key: PatternKey) -> list[tuple[int, int]] | None:
        text = self._text
        n = len(text)
        src = key.anchor_ascii_src if text.isascii() else key.anchor_src
        assert src is not None
        anchor = _compile_anchor(src)
        if n <= SMALL_TEXT:
            return None if anchor.search(text) is not None else []
        most = max(16, n // DENSE)
        starts = []
        search = anchor.search
        m = search(text)
        while m is not None:  # overlapping occurrences too: resume one past each start
            starts.append(m.start())
            if len(starts) > most:
                return None
            m = search(text, m.start() + 1)
        if not starts:
            return []
        before, after = key.lead + key.margin, key.trail + key.margin
        return merge_windows([(a - before, a + after) for a in starts], n)

    def _has_digit(self) -> bool:
        found = self._small_digits.get(0)
        if found is None:
            found = self._small_digits[0] = (
                _digit_run_re(1, self._text.isascii()).search(self._text) is not None)
        return found

    def _wide_clusters(self) -> list[tuple[int, int]]:
        """Clusters of at least CLUSTER_FLOOR digits with the widest gap: one pass."""
        wide = self._clusters.get(-1)
        if wide is None:
            text = self._text
            find = _cluster_re(MAX_CLUSTER_GAP, CLUSTER_FLOOR, text.isascii()).finditer
            wide = self._clusters[-1] = {0: [m.span() for m in find(text)]}
        return wide[0]

    def _cluster_regions(self, key: PatternKey) -> list[tuple[int, int]] | None:
        text = self._text
        n = len(text)
        if n > SMALL_TEXT and key.cluster_digits < CLUSTER_FLOOR:
            # Years and amounts would wake it everywhere: all or nothing.
            return None if self._has_digit() else []
        gap, digits = key.cluster_gap, key.cluster_digits
        before, after = key.lead + key.margin, key.trail + key.margin
        # Numeric identifiers share keys (a dozen national numbers: 11 digits, one
        # separator apart): their clusters and regions are worked out once per text.
        memo = self._cluster_memo
        if (gap, digits, before, after) in memo:
            return memo[gap, digits, before, after]
        hits: list[tuple[int, int]] | None
        if (gap, digits) in memo:
            hits = memo[gap, digits]
        else:
            wanted = [b for count, b in self._cluster_buckets(gap).items() if count >= digits]
            if not wanted:
                hits = []
            elif n <= SMALL_TEXT or sum(map(len, wanted)) > max(16, n // DENSE):
                hits = None
            else:
                hits = (sorted(itertools.chain.from_iterable(wanted)) if len(wanted) > 1
                        else wanted[0])
            memo[gap, digits] = hits
        found = (merge_windows([(a - before, b + after) for a, b in hits], n) if hits
                 else hits)
        memo[gap, digits, before, after] = found
        return found


@functools.lru_cache(maxsize=64)
def _cluster_re(gap: int, floor: int, ascii_text: bool) -> regex.Pattern[str]:
    """Maximal stretches of digits at most `gap` characters apart holding at least
    `floor` digits. The look-ahead fails at a cluster's first digit exactly when it fails
    at every later one (fewer digits follow), so every match is a whole cluster. In an
    ASCII text `[0-9]` says the same as `\\d` and the `regex` module scans it 4x faster."""
    d, nd = (r"[0-9]", r"[^0-9]") if ascii_text else (r"\d", r"\D")
    if gap == 0:
        return regex.compile(rf"{d}{{{floor},}}")
    enough = rf"(?={d}(?:{nd}{{0,{gap}}}{d}){{{floor - 1}}})"
    return regex.compile(rf"{enough}{d}+(?:{nd}{{1,{gap}}}{d}+)*")


@functools.lru_cache(maxsize=256)
def _compile_anchor(src: str) -> regex.Pattern[str]:
    return regex.compile(src)


@functools.lru_cache(maxsize=64)
def _digit_run_re(k: int, ascii_text: bool) -> regex.Pattern[str]:
    return regex.compile(rf"[0-9]{{{k},}}" if ascii_text else rf"\d{{{k},}}")
