"""Keyword dictionaries matched in one pass with pyahocorasick."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import ahocorasick

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
    def __init__(self, rules: Sequence[Rule]) -> None:
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

    def iter_matches(self, text: str) -> Iterator[tuple[Rule, int, int]]:
        if self._empty:
            return
        folded = _fold(text)
        for end_idx, (length, rules_for_key) in self._automaton.iter(folded):
            start = end_idx - length + 1
            end = end_idx + 1
            for rule, term in rules_for_key:
                if rule.case_sensitive and text[start:end] != term:
                    continue
                if rule.word_boundary and not _at_boundary(text, start, end):
                    continue
                yield rule, start, end


def _at_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")
