"""How much work a pattern can do on a short text, bounded from its syntax alone.

Every pattern runs with the `regex` module's `timeout=`, so a pattern that backtracks
catastrophically on a hostile text is reported instead of hanging the scan. That
protection is not free: a call with a timeout costs ~5 µs more than one without, which
is most of the cost of running a pattern over a table cell or a 40-character prefilter
region, and a scan makes hundreds of thousands of such calls.

On a short text the protection is not needed when the pattern's work is bounded: a
backtracking matcher explores, from each start position, at most as many paths as the
product of the choices its quantifiers and alternations offer, and each path costs at
most the text length plus the pattern length in steps. `short_limit` gives, per
pattern, the longest text on which that bound stays under STEP_BUDGET; the engine drops
the timeout only below it. Anything the bound does not understand (nested unbounded
repeats, repeats of something that can match nothing, back-reference conditionals,
syntax only the `regex` module knows) gets limit 0: always a timeout.
"""

from __future__ import annotations

import functools
from typing import Any

from dataclass_scan.detect.prefilter import _sre_c as _c
from dataclass_scan.detect.prefilter import _sre_p as _p

STEP_BUDGET = 2_000_000  # matcher steps: a few milliseconds at worst
LENGTHS = (512, 256, 128, 64, 32)


@functools.lru_cache(maxsize=4096)
def short_limit(pattern: str, flags: int = 0) -> int:
    """The longest text (characters) `pattern` may scan without a timeout; 0 = none."""
    from dataclass_scan.detect.prefilter import _KNOWN_FLAGS, _REGEX_ONLY, _parse

    if _REGEX_ONLY.search(pattern) or flags & ~_KNOWN_FLAGS:
        return 0  # fuzzy matching and other `regex`-only syntax: not analysed
    try:
        parsed = _parse(pattern, flags)
    except Exception:  # noqa: BLE001 - syntax the stdlib parser does not know
        return 0
    size = len(pattern)
    for n in LENGTHS:
        try:
            paths = _seq(parsed.data, n, parsed.state)
        except _Unbounded:
            return 0
        if paths * n * (n + size) <= STEP_BUDGET:
            return n
    return 0


class _Unbounded(Exception):
    pass


def _seq(items: Any, n: int, state: Any) -> int:
    # `state`: the parsed pattern's, which knows each group's width (a repeated
    # back-reference, as in the exclusion `(\d)\1+`, is as wide as its group).
    total = 1
    for op, av in items:
        total *= _node(op, av, n, state)
        if total > STEP_BUDGET:
            raise _Unbounded
    return total


def _node(op: Any, av: Any, n: int, state: Any) -> int:
    if op in (_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY, _c.AT, _c.GROUPREF):
        return 1
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return _seq(av[1], n, state)
    if op is _c.SUBPATTERN:
        return _seq(av[-1], n, state)
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _seq(av, n, state)
    if op is _c.BRANCH:
        return sum(_seq(b, n, state) for b in av[1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        sub = _p.SubPattern(state, list(body))
        try:
            wmin = sub.getwidth()[0]
        except Exception:  # noqa: BLE001
            raise _Unbounded from None
        if wmin == 0 and hi > 1:
            raise _Unbounded  # repeats of something empty: leave it to the timeout
        most = min(hi, n // max(wmin, 1))
        inner = _seq(body, n, state)
        if most < lo:
            return 1  # cannot match at all in n characters: fails fast
        if inner == 1:
            return most - lo + 1
        paths = 0
        for k in range(lo, most + 1):
            paths += inner ** k
            if paths > STEP_BUDGET:
                raise _Unbounded
        return paths
    raise _Unbounded  # GROUPREF_EXISTS, CALL, anything unknown
