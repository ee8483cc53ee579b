"""Compile rule packs once and scan segments: regex + validators + context + dictionaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from dataclass_scan.detect import masking
from dataclass_scan.detect import validators as validator_registry
from dataclass_scan.detect.dictionary import DictionaryMatcher
from dataclass_scan.detect.rulepack import Rule, RulePack
from dataclass_scan.keys import value_hash
from dataclass_scan.model import Confidence, Finding, Segment, newline_index

DEFAULT_PATTERN_TIMEOUT = 2.0  # seconds per pattern per segment


@dataclass(frozen=True, slots=True)
class Candidate:
    rule: Rule
    start: int
    end: int
    value: str
    confidence: Confidence
    reasons: tuple[str, ...]


@dataclass(slots=True)
class DetectResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _CompiledRegexRule:
    __slots__ = ("rule", "patterns", "keywords_re", "validators")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.patterns = [regex.compile(p, rule.flags) for p in rule.patterns]
        self.validators = [(n, validator_registry.get(n)) for n in rule.validators]
        self.keywords_re = _keywords_regex(rule.context.keywords)


def _keywords_regex(keywords: Sequence[str]) -> regex.Pattern[str] | None:
    if not keywords:
        return None
    alternation = "|".join(regex.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:{alternation})(?![\p{{L}}\p{{N}}])", regex.I)


class Engine:
    """Scans segments with every enabled rule. Build once per process, reuse for every file."""

    def __init__(
        self,
        packs: Sequence[RulePack],
        *,
        pattern_timeout: float = DEFAULT_PATTERN_TIMEOUT,
        keep_values: bool = True,
    ) -> None:
        self.packs = tuple(packs)
        self.rules = tuple(r for p in packs for r in p.rules)
        self.pattern_timeout = pattern_timeout
        self.keep_values = keep_values
        self._regex_rules = [_CompiledRegexRule(r) for r in self.rules if r.kind == "regex"]
        dict_rules = [r for r in self.rules if r.kind == "dictionary"]
        self._dictionary = DictionaryMatcher(dict_rules) if dict_rules else None
        self._dict_keywords = {r.id: _keywords_regex(r.context.keywords) for r in dict_rules}

    def detect(self, segment: Segment, *, show_values: bool = False) -> DetectResult:
        result = DetectResult()
        text = segment.text
        if not text or text.isspace():
            return result
        candidates: list[Candidate] = []
        for crule in self._regex_rules:
            try:
                self._run_regex_rule(crule, segment, candidates)
            except TimeoutError:
                result.errors.append(
                    f"rule {crule.rule.id}: pattern timed out after {self.pattern_timeout}s"
                )
        if self._dictionary is not None:
            for rule, start, end in self._dictionary.iter_matches(text):
                conf, reasons = self._apply_context(
                    rule, self._dict_keywords[rule.id], segment, start, end, rule.confidence, ()
                )
                if conf is not None:
                    candidates.append(Candidate(rule, start, end, text[start:end], conf, reasons))
        chosen = _resolve_overlaps(candidates)
        spans = [(c.start, c.end, c.rule.type) for c in chosen]
        newlines = newline_index(text) if segment.track_lines else None
        for c in chosen:
            result.findings.append(
                Finding(
                    rule=c.rule.id,
                    type=c.rule.type,
                    category=c.rule.category,
                    confidence=c.confidence,
                    location=segment.locate(c.start, newlines),
                    excerpt=masking.excerpt(text, c.start, c.end, spans, show_values=show_values),
                    value_hash=value_hash(c.rule.type, c.value),
                    value=c.value if self.keep_values else "",
                    start=c.start,
                    end=c.end,
                    reasons=c.reasons,
                )
            )
        return result

    def _run_regex_rule(
        self, crule: _CompiledRegexRule, segment: Segment, out: list[Candidate]
    ) -> None:
        rule = crule.rule
        text = segment.text
        for pattern in crule.patterns:
            has_value_group = "value" in pattern.groupindex
            for m in pattern.finditer(text, timeout=self.pattern_timeout):
                if has_value_group and m.group("value") is not None:
                    start, end = m.span("value")
                else:
                    start, end = m.span()
                if start == end:
                    continue
                value = text[start:end]
                confidence = rule.confidence
                reasons: list[str] = []
                rejected = False
                for name, fn in crule.validators:
                    verdict = fn(value)
                    if verdict is False:
                        rejected = True
                        break
                    if verdict is True:
                        reasons.append(f"validator {name} passed")
                if rejected:
                    continue
                conf, all_reasons = self._apply_context(
                    rule, crule.keywords_re, segment, start, end, confidence, tuple(reasons)
                )
                if conf is not None:
                    out.append(Candidate(rule, start, end, value, conf, all_reasons))

    @staticmethod
    def _apply_context(
        rule: Rule,
        keywords_re: regex.Pattern[str] | None,
        segment: Segment,
        start: int,
        end: int,
        confidence: Confidence,
        reasons: tuple[str, ...],
    ) -> tuple[Confidence | None, tuple[str, ...]]:
        if keywords_re is None:
            return confidence, reasons
        w = rule.context.window
        text = segment.text
        around = text[max(0, start - w) : start] + " " + text[end : end + w]
        m = keywords_re.search(around)
        if m is None and segment.context:
            m = keywords_re.search(segment.context)
        if m is not None:
            return confidence.raised(rule.context.boost), (
                *reasons,
                f"context word {m.group(0).lower()!r}",
            )
        if rule.context.required:
            return None, reasons
        return confidence, reasons


def _resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a candidate whose span lies inside a stronger one (same value found twice)."""
    if len(candidates) < 2:
        return candidates
    ranked = sorted(
        candidates, key=lambda c: (-c.confidence.rank, -(c.end - c.start), c.start, c.rule.id)
    )
    kept: list[Candidate] = []
    for c in ranked:
        if any(k.start <= c.start and c.end <= k.end for k in kept):
            continue
        kept.append(c)
    kept.sort(key=lambda c: (c.start, c.end, c.rule.id))
    return kept
