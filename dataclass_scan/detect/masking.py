"""Masking of sensitive values for every report. The raw value never leaves memory
unless the user asks for it with --show-values."""

from __future__ import annotations

import string
from collections.abc import Sequence

MASK = "*"
# Markings are labels, not secrets: showing them helps and leaks nothing.
UNMASKED_TYPES = frozenset({"MARKING"})


def mask_value(value: str, entity_type: str = "") -> str:
    """Keep separators and at most the last 4 characters (fewer for short values)."""
    if entity_type in UNMASKED_TYPES:
        return value
    if entity_type == "EMAIL" and "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + MASK * max(len(local) - 1, 2)) + "@" + domain
    if value.isascii():
        masked = value.translate(_MASK_ASCII)
        # Letters and digits became MASK; a MASK the value held already stays one.
        alnum = masked.count(MASK) - value.count(MASK)
    else:
        masked = "".join(MASK if ch.isalnum() else ch for ch in value)
        alnum = sum(map(str.isalnum, value))
    if entity_type in ("PRIVATE_KEY", "PASSWORD") or alnum < 8:
        return masked
    # Keep the last 4 letters and digits: everything from the 4th-last one on is shown.
    i, kept = len(value), 0
    while kept < 4:
        i -= 1
        kept += value[i].isalnum()
    return masked[:i] + value[i:]


_MASK_ASCII = str.maketrans(dict.fromkeys(string.ascii_letters + string.digits, MASK))


def excerpt(
    text: str,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    width: int = 24,
    show_values: bool = False,
) -> str:
    """A one-line excerpt around text[start:end] with every known sensitive span masked.

    `spans` are (start, end, entity_type) for every finding in the same text, so a
    neighbouring value never appears in another finding's excerpt.
    """
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    # Do not cut a sensitive neighbour in half: widen to include overlapping spans, then mask.
    for s, e, _ in spans:
        if s < lo < e:
            lo = s
        if s < hi < e:
            hi = e
    out: list[str] = []
    pos = lo
    for s, e, etype in sorted(spans):
        if e <= lo or s >= hi or s < pos:
            continue
        out.append(text[pos:s])
        out.append(text[s:e] if show_values else mask_value(text[s:e], etype))
        pos = e
    out.append(text[pos:hi])
    snippet = " ".join("".join(out).split())
    if len(snippet) > 160:
        snippet = snippet[:157] + "..."
    return ("..." if lo > 0 else "") + snippet + ("..." if hi < len(text) else "")
