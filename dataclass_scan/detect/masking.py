"""Masking of sensitive values for every report. The raw value never leaves memory
unless the user asks for it with --show-values."""

from __future__ import annotations

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
    alnum = [i for i, ch in enumerate(value) if ch.isalnum()]
    if entity_type in ("PRIVATE_KEY", "PASSWORD") or len(alnum) < 8:
        keep: set[int] = set()
    else:
        keep = set(alnum[-4:])
    return "".join(
        ch if (not ch.isalnum() or i in keep) else MASK for i, ch in enumerate(value)
    )


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
