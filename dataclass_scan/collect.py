"""A file's findings as segments yield them: the first `limit` listed, every one counted.

A 1 GB text file has about 460,000 findings; holding them all until the file's result is
built cost ~300 MB. `FindingCollector` keeps only the findings that can still be among the
first `limit` of the file (`--max-findings`) and counts the rest by kind
(`model.FindingCount`): rule, type, category, confidence, whether a marking sits in a
header or footer, and a few distinct value hashes. Those are all that labels, each rule's
`min_count`, declared markings and the verdict look at, so the file's outcome is the same
as with every finding listed. The listed findings are the first `limit` of what the
uncapped scan lists, in file order, whatever the number of workers or prefilter engine.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from dataclass_scan.classify.declared import in_header_footer
from dataclass_scan.model import Confidence, Finding, FindingCount

_Key = tuple[str, str, str, Confidence, bool]  # rule, type, category, confidence, marking


class FindingCollector:
    """`add` each segment's findings in file order, then `finish` with the rules the
    engine keeps (`Engine.kept_rules` from `rule_counts`). `limit` 0 lists everything.

    A rule with `min_count` n drops all its findings when the file has fewer than n, so a
    finding only counts towards the limit once its rule has n; until then it is held
    besides (at most n - 1 per such rule). Once `limit` held findings count, the list is
    complete: no later finding can be among the first `limit` the file keeps."""

    def __init__(self, limit: int, min_counts: Mapping[str, int], distinct: int) -> None:
        self.limit = limit
        self.min_counts = min_counts
        self.distinct = max(1, distinct)  # value hashes kept per kind (LabelPolicy.max_distinct)
        self.held: list[Finding] = []
        self.rule_counts: dict[str, int] = {}
        self.total = 0
        self._counted = 0  # held findings whose rule has its min_count already
        self._full = False
        self._omitted: dict[_Key, int] = {}  # findings not listed, by kind
        self._hashes: dict[_Key, dict[str, None]] = {}  # their first distinct value hashes

    def add(self, findings: Iterable[Finding]) -> None:
        counts, min_counts, limit = self.rule_counts, self.min_counts, self.limit
        for f in findings:
            n = counts[f.rule] = counts.get(f.rule, 0) + 1
            self.total += 1
            if self._full:
                self._count(f)
                continue
            self.held.append(f)
            need = min_counts.get(f.rule, 1)
            if n >= need:
                # Reaching min_count, the rule's earlier findings (all held) count too.
                self._counted += 1 if n > need else n
                if limit and self._counted >= limit:
                    self._full = True

    @property
    def full(self) -> bool:
        """Whether every later finding is only counted: what only a listed finding shows
        (its masked excerpt) need not be built for them (`Engine.detect(brief=True)`)."""
        return self._full

    def _count(self, f: Finding) -> None:
        key = (f.rule, f.type, f.category, f.confidence,
               f.category == "marking" and in_header_footer(f.location))
        self._omitted[key] = self._omitted.get(key, 0) + 1
        hashes = self._hashes.setdefault(key, {})
        if len(hashes) < self.distinct:
            hashes[f.value_hash] = None  # an ordered set: the first distinct values

    def finish(self, kept_rules: Collection[str]
               ) -> tuple[list[Finding], tuple[FindingCount, ...]]:
        """The listed findings and the counts of the rest, of the rules kept."""
        listed = [f for f in self.held if f.rule in kept_rules]
        if self.limit and len(listed) > self.limit:
            for f in listed[self.limit:]:
                self._count(f)
            del listed[self.limit:]
        omitted: list[FindingCount] = []
        for key in sorted(self._omitted, key=lambda k: (*k[:3], k[3].rank, k[4])):
            rule, type_, category, confidence, marking = key
            if rule in kept_rules:
                omitted.append(FindingCount(
                    rule=rule, type=type_, category=category, confidence=confidence,
                    count=self._omitted[key], header_footer=marking,
                    value_hashes=tuple(self._hashes[key])))
        return listed, tuple(omitted)
