"""Keyword dictionaries matched in one pass with pyahocorasick (or, for large texts with
the `fast` extra, Hyperscan: detect/hsliterals.py; the same matches either way)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import ahocorasick

from dataclass_scan.detect import hsliterals
from dataclass_scan.detect.rulepack import Rule
from dataclass_scan.errors import RulePackError

MAX_TERMS = 2_000_000


def _fold(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters change length when lower-cased (e.g. 'İ'); keep offsets aligned.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


class DictionaryMatcher:
    def __init__(self, rules: Sequence[Rule], *, native: bool = False) -> None:
        self._automaton = ahocorasick.Automaton()
        total = 0
        entries: dict[str, list[tuple[Rule, str]]] = {}
        for rule in rules:
            for term in rule.terms:
                total += 1
                entries.setdefault(_fold(term), []).append((rule, term))
        if total > MAX_TERMS:
            # Rule files are untrusted: refuse before building a huge automaton, and name
            # the file (and line) of the largest dictionary.
            biggest = max(rules, key=lambda r: len(r.terms))
            path, _, line = biggest.source.rpartition(":")
            raise RulePackError(
                path or biggest.source, int(line) if line.isdigit() else None,
                f"dictionary rule {biggest.id!r} has {len(biggest.terms)} terms "
                f"({total} in all dictionaries); the limit is {MAX_TERMS}")
        for key, rules_for_key in entries.items():
            self._automaton.add_word(key, (len(key), rules_for_key))
        self._automaton.make_automaton()
        self._empty = not entries
        # With Hyperscan: one expression per key, its index that of `_keys`.
        self._keys = list(entries.items())
        self._native = hsliterals.LiteralScanner(
            [hsliterals.caseless(key) for key, _ in self._keys]) if native and entries else None

    def iter_matches(self, text: str) -> Iterator[tuple[Rule, int, int]]:
        if self._empty:
            return
        for start, end, rules_for_key in self._matches(text):
            for rule, term in rules_for_key:
                if rule.case_sensitive and text[start:end] != term:
                    continue
                if rule.word_boundary and not _at_boundary(text, start, end):
                    continue
                yield rule, start, end

    def _matches(self, text: str) -> Iterator[tuple[int, int, list[tuple[Rule, str]]]]:
        """Every (start, end, rules) where a key occurs in the folded text, overlapping
        ones too, ordered as pyahocorasick reports them: by end, the longest first."""
        if self._native is not None and len(text) >= hsliterals.MIN_DICTIONARY_TEXT:
            ends = self._native.ends(hsliterals.stand_in_bytes(text))
            if ends is not None:
                # Lower-casing a whole text with non-ASCII characters in it runs at about
                # 150 MB/s: fold each hit alone. Without a Σ (str.lower makes a final one
                # ς, by its neighbours) that gives the same characters as the whole fold.
                folded = _fold(text) if "Σ" in text else None
                keys = self._keys
                hits = []
                for end, index in ends:
                    key, rules_for_key = keys[index]
                    start = end - len(key)
                    # The expression also takes other characters (any non-ASCII one for
                    # `?`): only the folded text itself says whether the key is there.
                    if (folded.startswith(key, start) if folded is not None
                            else start >= 0 and _fold(text[start:end]) == key):
                        hits.append((end, -len(key), start, rules_for_key))
                hits.sort(key=lambda h: (h[0], h[1]))
                for end, _, start, rules_for_key in hits:
                    yield start, end, rules_for_key
                return
        for end_idx, (length, rules_for_key) in self._automaton.iter(_fold(text)):
            yield end_idx - length + 1, end_idx + 1, rules_for_key


def _at_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")
