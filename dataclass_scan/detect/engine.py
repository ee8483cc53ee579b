"""Compile rule packs once and scan segments: regex + validators + context + dictionaries.

Every candidate span, whichever way it was found (a regex pattern or the dictionary
pass), goes through one function, `_evaluate`, in this order:

1. validators (False rejects; True is recorded as a reason),
2. the rule's exclusions (values, whole-value patterns, words near the match),
3. the allowlist (built-in test data and the config's values/patterns),
4. an inline `dataclass-scan: ignore` marker on the same line,
5. context keywords (raise confidence, or `required`) and negative keywords (lower it).

`Engine.finalize` then applies the file-level steps: path allowlist and `min_count`.
Passing a `tracer` records every decision; `dataclass-scan explain` prints them.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from dataclass_scan.detect import allowlist as allowlists
from dataclass_scan.detect import masking
from dataclass_scan.detect import validators as validator_registry
from dataclass_scan.detect.backtrack import short_limit
from dataclass_scan.detect.dictionary import DictionaryMatcher
from dataclass_scan.detect.edm import EdmIndex
from dataclass_scan.detect.hsprefilter import HsPrefilter, HsScan
from dataclass_scan.detect.hsprefilter import available as hyperscan_available
from dataclass_scan.detect.names import NameMatcher
from dataclass_scan.detect.prefilter import Prefilter, PrefilterScan
from dataclass_scan.detect.rulepack import Rule, RulePack, is_builtin_rule
from dataclass_scan.detect.words import ScannedText, Vocabulary, WordSet, words_regex
from dataclass_scan.keys import normalize_value, value_hasher
from dataclass_scan.model import Confidence, Finding, Segment

DEFAULT_PATTERN_TIMEOUT = 2.0  # seconds per pattern per segment
# `"dataclass-scan" in text.lower()`, without lower-casing a whole text (slow with a
# non-ASCII character in it): no other character lowers to one of these (tested).
_MARKER_WORD_RE = regex.compile("".join(f"[{c}{c.upper()}]" if c.isalpha() else c
                                        for c in "dataclass-scan"))
IGNORE_MARKER_RE = regex.compile(
    r"dataclass-scan:\s*ignore(?:\[(?P<rules>[A-Za-z0-9_.,\s-]*)\])?", regex.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Candidate:
    rule: Rule
    start: int
    end: int
    value: str
    confidence: Confidence
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One decision about one candidate span (or, with start == end == -1, a file)."""

    rule: str
    start: int
    end: int
    step: str  # match, validator, exclude, allowlist, ignore-marker, context, negative, ...
    outcome: str  # pass, drop, raise, lower, keep, info
    detail: str


Tracer = Callable[[TraceEvent], None]
# A pattern's number within its rule, and the regions it runs over (None: the whole text).
_Planned = tuple[int, list[tuple[int, int]] | None]


@dataclass(slots=True)
class DetectResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# Kept for callers of the skeleton's names; the engine matches words with detect/words.py.
_words_regex = words_regex
_keywords_regex = words_regex


_UNSET: Any = object()
_LEVELS = tuple(Confidence)  # low to high
_MEMO_SIZE = 65536  # entries in the per-engine memos (validator verdicts, column contexts)


_EDM_RULE = Rule(id="edm", name="Exact data match (.edm file)", type="EDM_MATCH",
                 category="pii", pack="edm", confidence=Confidence.HIGH)
_EDM_TOKEN_RE = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}._@+'/-]{2,}[\p{L}\p{N}]")


class _CompiledRule:
    """A rule with everything compiled, on first use: compiling every pattern and word
    list of every pack up front dominated the start-up of a one-file scan, and the
    prefilter means most patterns never run on a given file."""

    __slots__ = ("rule", "_validators", "exclude_values", "_patterns", "keywords", "negative",
                 "exclude_words", "_exclude_patterns", "_short", "_matchers")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._validators: list[tuple[str, validator_registry.Validator, bool, str]] | None = None
        self.exclude_values = frozenset(normalize_value(v) for v in rule.exclude.values)
        self._patterns: list[regex.Pattern[str] | None] = [None] * len(rule.patterns)
        self.keywords = WordSet(rule.context.keywords) if rule.context.keywords else None
        self.negative = WordSet(rule.context.negative) if rule.context.negative else None
        self.exclude_words = WordSet(rule.exclude.words) if rule.exclude.words else None
        self._exclude_patterns: list[tuple[regex.Pattern[str], int]] | None = None
        self._short: list[int] | None = None
        self._matchers: list[tuple[regex.Pattern[str], bool, int] | None] = (
            [None] * len(rule.patterns))

    @property
    def validators(self) -> list[tuple[str, validator_registry.Validator, bool, str]]:
        """(name, function, memoizable, the reason it gives when it passes), looked up on
        the rule's first candidate: a `stdnum:` validator imports its module, and the
        built-in packs name dozens that a given scan mostly never calls."""
        found = self._validators
        if found is None:
            found = self._validators = [
                (n, validator_registry.get(n), validator_registry.is_pure(n),
                 f"validator {n} passed") for n in self.rule.validators]
        return found

    def short_limit(self, i: int) -> int:
        """The longest span pattern `i` runs on without a timeout (detect/backtrack.py)."""
        if self._short is None:
            self._short = [short_limit(p, self.rule.flags) for p in self.rule.patterns]
        return self._short[i]

    def pattern(self, i: int) -> regex.Pattern[str]:
        compiled = self._patterns[i]
        if compiled is None:
            compiled = self._patterns[i] = regex.compile(self.rule.patterns[i], self.rule.flags)
        return compiled

    def matcher(self, i: int) -> tuple[regex.Pattern[str], bool, int]:
        """Pattern `i` compiled, whether it has a `value` group, and its short limit:
        looked up once, not on every segment (`groupindex` builds a new dict per call)."""
        found = self._matchers[i]
        if found is None:
            pattern = self.pattern(i)
            found = self._matchers[i] = (pattern, "value" in pattern.groupindex,
                                         self.short_limit(i))
        return found

    @property
    def patterns(self) -> list[regex.Pattern[str]]:
        return [self.pattern(i) for i in range(len(self._patterns))]

    @property
    def word_sets(self) -> list[WordSet]:
        return [s for s in (self.keywords, self.negative, self.exclude_words) if s is not None]

    @property
    def exclude_patterns(self) -> list[tuple[regex.Pattern[str], int]]:
        """Each exclusion pattern with the longest value it tests without a timeout
        (detect/backtrack.py): asked of nearly every candidate of some rules, a
        timeout cost more than the test."""
        if self._exclude_patterns is None:
            flags = self.rule.flags
            self._exclude_patterns = [(regex.compile(p, flags), short_limit(p, flags))
                                      for p in self.rule.exclude.patterns]
        return self._exclude_patterns


class _SegmentState:
    """Per-segment facts computed at most once: inline ignore markers, the column/key
    context, and the words found around each candidate span (shared by every rule with
    a candidate there: a 9-digit number is a candidate for a dozen rules)."""

    __slots__ = ("segment", "_ignored", "_engine", "_context", "_context_words", "_windows")

    def __init__(self, segment: Segment, engine: Engine) -> None:
        self.segment = segment
        self._engine = engine
        self._ignored: list[tuple[int, int, frozenset[str] | None]] | None = None
        self._context: str | None = None
        self._context_words: ScannedText | None = None
        self._windows: dict[tuple[int, int, int], ScannedText] = {}

    @property
    def context(self) -> str:
        # A column header or JSON key, also with `_` and `-` read as spaces, so that
        # `date_of_birth` meets the keyword "date of birth".
        if self._context is None:
            ctx = self.segment.context
            spaced = ctx.replace("_", " ").replace("-", " ") if ctx else ""
            self._context = f"{ctx} | {spaced}" if spaced != ctx else ctx
        return self._context

    def context_words(self) -> ScannedText:
        if self._context_words is None:
            self._context_words = self._engine._scan_context(self.context)
        return self._context_words

    def window_words(self, start: int, end: int, w: int) -> ScannedText:
        """The words in the text around text[start:end], `w` characters each side."""
        key = (start, end, w)
        found = self._windows.get(key)
        if found is None:
            text = self.segment.text
            before, after = text[max(0, start - w): start], text[end: end + w]
            # Context stays within the paragraph: a blank line ends it.
            if "\n\n" in before:
                before = before.rsplit("\n\n", 1)[1]
            if "\n\n" in after:
                after = after.split("\n\n", 1)[0]
            found = self._windows[key] = self._engine._vocabulary().scan(before + " " + after)
        return found

    def ignored_by_marker(self, rule_id: str, start: int) -> bool:
        ignored = self._ignored
        if ignored is None:
            ignored = self._ignored = self._find_markers()
        if not ignored:  # the usual case: asked for every candidate
            return False
        return any(lo <= start <= hi and (ids is None or rule_id in ids)
                   for lo, hi, ids in ignored)

    def _find_markers(self) -> list[tuple[int, int, frozenset[str] | None]]:
        text = self.segment.text
        found: list[tuple[int, int, frozenset[str] | None]] = []
        if _MARKER_WORD_RE.search(text) is not None:
            for m in IGNORE_MARKER_RE.finditer(text):
                lo = text.rfind("\n", 0, m.start()) + 1
                hi = text.find("\n", m.end())
                hi = len(text) if hi == -1 else hi
                rules = m.group("rules")
                ids = (frozenset(r.strip() for r in rules.split(",") if r.strip())
                       if rules is not None else None)
                found.append((lo, hi, ids or None))
        return found


class Engine:
    """Scans segments with every enabled rule. Build once per process, reuse for every file."""

    def __init__(
        self,
        packs: Sequence[RulePack],
        *,
        pattern_timeout: float = DEFAULT_PATTERN_TIMEOUT,
        keep_values: bool = True,
        allowlist: allowlists.Allowlist | None = None,
        edm: EdmIndex | None = None,
        prefilter: bool = True,
        prefilter_engine: str = "auto",
    ) -> None:
        self.packs = tuple(packs)
        self.rules = tuple(r for p in packs for r in p.rules)
        self.pattern_timeout = pattern_timeout
        self.keep_values = keep_values
        self.allowlist = allowlist if allowlist is not None else allowlists.default()
        self.edm = edm if edm is not None and edm.files else None
        self._compiled = {r.id: _CompiledRule(r) for r in self.rules}
        self._regex_rules = [self._compiled[r.id] for r in self.rules if r.kind == "regex"]
        self._min_counts = {r.id: r.min_count for r in self.rules if r.min_count > 1}
        # Prefilter (detect/prefilter.py): which patterns can match where; same results.
        pf_patterns = [(pat, crule.rule.flags) for crule in self._regex_rules
                       for pat in crule.rule.patterns]
        self._prefilter: Prefilter | HsPrefilter | None = None
        if prefilter_engine not in ("auto", "python", "hyperscan"):
            raise ValueError(f"unknown prefilter engine {prefilter_engine!r}")
        native = prefilter and (prefilter_engine == "hyperscan" or (
            prefilter_engine == "auto" and hyperscan_available()))
        # Dictionary terms and names: with Hyperscan, large texts are searched natively
        # (detect/hsliterals.py); the same matches either way.
        dict_rules = [r for r in self.rules if r.kind == "dictionary"]
        self._dictionary = DictionaryMatcher(dict_rules, native=native) if dict_rules else None
        # The built-in dictionaries' tables come from the start-up cache (a user's own
        # name lists are not copied there).
        self._name_rules = [(self._compiled[r.id],
                             _name_matcher(r.terms, r.surnames, native, is_builtin_rule(r)))
                            for r in self.rules if r.kind == "names"]
        if prefilter:
            # Hyperscan (detect/hsprefilter.py) serves large texts when installed; the
            # pure-Python prefilter gives the same regions, and serves everything else.
            self._prefilter = HsPrefilter(pf_patterns) if native else Prefilter(pf_patterns)
        # Prefilter pattern index -> position of its rule in self._regex_rules.
        self._pattern_owner = [j for j, crule in enumerate(self._regex_rules)
                               for _ in crule.rule.patterns]
        # ... and its number among the patterns of that rule.
        self._pattern_number = [i for crule in self._regex_rules
                                for i in range(len(crule.rule.patterns))]
        self._words: Vocabulary | None = None
        self._context_words: dict[str, ScannedText] = {}
        # Validators and the allowlist are pure functions of the value, and values repeat
        # (the same card in every e-mail footer, a dozen rules on one 9-digit number).
        self._verdicts: dict[tuple[str, str], bool | None] = {}
        self._allowed: dict[tuple[str, str], str | None] = {}

    def _vocabulary(self) -> Vocabulary:
        """Every context word of every rule, built on the first candidate that needs it."""
        if self._words is None:
            self._words = Vocabulary(s for c in self._compiled.values() for s in c.word_sets)
        return self._words

    def _scan_context(self, context: str) -> ScannedText:
        """The words in a column header or JSON key: the same few headers come with
        every cell of a table, so they are looked up once."""
        found = self._context_words.get(context)
        if found is None:
            if len(self._context_words) >= _MEMO_SIZE:
                self._context_words.clear()
            found = self._context_words[context] = self._vocabulary().scan(context)
        return found

    # -- segment level ---------------------------------------------------------------

    def detect(
        self, segment: Segment, *, show_values: bool = False, tracer: Tracer | None = None,
        brief: bool = False,
    ) -> DetectResult:
        """Findings of every enabled rule in one segment. With `brief`, their excerpts
        are left empty: for a file whose later findings are only counted (a 1 GB file
        past `--max-findings`), building them was about 5% of the detection."""
        result = DetectResult()
        text = segment.text
        if not text or text.isspace():
            return result
        state = _SegmentState(segment, self)
        candidates: list[Candidate] = []
        pf = self._prefilter.scan(text) if self._prefilter is not None else None
        work: Iterable[tuple[_CompiledRule, list[_Planned] | None]]
        if pf is not None:
            work = self._planned(pf)
        else:
            work = ((crule, None) for crule in self._regex_rules)
        for crule, planned in work:
            try:
                self._run_regex_rule(crule, state, candidates, tracer, planned)
            except TimeoutError:
                result.errors.append(
                    f"rule {crule.rule.id}: pattern timed out after {self.pattern_timeout}s"
                )
        if self._dictionary is not None:
            for rule, start, end in self._dictionary.iter_matches(text):
                crule = self._compiled[rule.id]
                if tracer is not None:
                    tracer(TraceEvent(rule.id, start, end, "match", "info",
                                      "dictionary term matched"))
                try:
                    cand = self._evaluate(crule, state, start, end, tracer)
                except TimeoutError:
                    result.errors.append(
                        f"rule {rule.id}: pattern timed out after {self.pattern_timeout}s")
                    continue
                if cand is not None:
                    candidates.append(cand)
        for crule, matcher in self._name_rules:
            try:
                for start, end in matcher.iter_spans(text):
                    if tracer is not None:
                        tracer(TraceEvent(crule.rule.id, start, end, "match", "info",
                                          "name dictionary hit grown into a name"))
                    cand = self._evaluate(crule, state, start, end, tracer)
                    if cand is not None:
                        candidates.append(cand)
            except TimeoutError:
                result.errors.append(
                    f"rule {crule.rule.id}: pattern timed out after {self.pattern_timeout}s")
        if self.edm is not None:
            candidates = self._exact_data_match(state, candidates, tracer)
        if not candidates:
            return result
        chosen = _resolve_overlaps(candidates, tracer)
        near = None if brief else _NearbySpans([(c.start, c.end, c.rule.type) for c in chosen])
        locations = segment.locate_all([c.start for c in chosen])
        hash_value = value_hasher()
        keep_values = self.keep_values
        for c, location in zip(chosen, locations, strict=True):
            rule = c.rule
            result.findings.append(
                Finding(
                    rule=rule.id,
                    type=rule.type,
                    category=rule.category,
                    confidence=c.confidence,
                    location=location,
                    excerpt="" if near is None else masking.excerpt(
                        text, c.start, c.end, near(c.start, c.end), show_values=show_values),
                    value_hash=hash_value(rule.type, c.value),
                    value=c.value if keep_values else "",
                    start=c.start,
                    end=c.end,
                    reasons=c.reasons,
                )
            )
        return result

    def _planned(self, pf: PrefilterScan | HsScan
                 ) -> list[tuple[_CompiledRule, list[_Planned]]]:
        """The rules with a pattern the prefilter has not ruled out, in rule order, each
        with those patterns and their regions. One pass over the patterns `active` names
        (a page of prose wakes a quarter of them, a table cell two or three): asking
        every rule about each of its patterns cost more than scanning a cell or a page."""
        rules, owner, number = self._regex_rules, self._pattern_owner, self._pattern_number
        out: list[tuple[_CompiledRule, list[_Planned]]] = []
        last = -1
        for index in pf.active():
            regions = pf.regions(index)
            if regions == []:
                continue
            j = owner[index]
            if j != last:
                out.append((rules[j], []))
                last = j
            out[-1][1].append((number[index], regions))
        return out

    def _run_regex_rule(
        self, crule: _CompiledRule, state: _SegmentState, out: list[Candidate],
        tracer: Tracer | None, planned: Iterable[_Planned] | None = None,
    ) -> None:
        """Every pattern of the rule over the whole text (no prefilter), or only the
        patterns in `planned`, with the regions given there (`_planned`). Spans no
        longer than the pattern's short limit (detect/backtrack.py: its work is bounded
        there) run without the timeout, which costs more than the match on a short span."""
        text = state.segment.text
        whole = ((0, len(text)),)
        timeout = self.pattern_timeout
        if planned is None:
            planned = ((i, None) for i in range(len(crule.rule.patterns)))
        for i, regions in planned:
            if regions == []:
                continue  # the prefilter proved it cannot match: not even compiled
            pattern, has_value_group, short = crule.matcher(i)
            for lo, hi in whole if regions is None else regions:
                found = (pattern.finditer(text, lo, hi) if hi - lo <= short
                         else pattern.finditer(text, lo, hi, timeout=timeout))
                for m in found:
                    if has_value_group and m.group("value") is not None:
                        start, end = m.span("value")
                    else:
                        start, end = m.span()
                    if start == end:
                        continue
                    if tracer is not None:
                        tracer(TraceEvent(crule.rule.id, start, end, "match", "info",
                                          f"pattern {pattern.pattern[:60]!r} matched"))
                    cand = self._evaluate(crule, state, start, end, tracer)
                    if cand is not None:
                        out.append(cand)

    def _evaluate(
        self, crule: _CompiledRule, state: _SegmentState, start: int, end: int,
        tracer: Tracer | None,
    ) -> Candidate | None:
        """Every check on one candidate span, in order. None means dropped.

        This runs for every candidate of every rule (a dozen rules share one 9-digit
        number), so a trace note is built only when there is a tracer, and the words
        around the span are looked up only when a word list is asked about them."""
        rule = crule.rule
        value = state.segment.text[start:end]
        reasons: list[str] = []
        validators = crule.validators
        if validators:
            verdicts = self._verdicts
            for name, fn, pure, passed in validators:
                if pure:
                    key = (name, value)
                    verdict = verdicts.get(key, _UNSET)
                    if verdict is _UNSET:
                        verdict = fn(value)
                        if len(verdicts) >= _MEMO_SIZE:
                            verdicts.clear()
                        verdicts[key] = verdict
                else:
                    verdict = fn(value)
                if verdict is False:
                    if tracer is not None:
                        _note(tracer, rule, start, end, "validator", "drop",
                              f"validator {name} rejected the value")
                    return None
                if verdict is True:
                    reasons.append(passed)
                    if tracer is not None:
                        _note(tracer, rule, start, end, "validator", "pass", passed)
                elif tracer is not None:
                    _note(tracer, rule, start, end, "validator", "info",
                          f"validator {name} could not tell")

        if crule.exclude_values and normalize_value(value) in crule.exclude_values:
            if tracer is not None:
                _note(tracer, rule, start, end, "exclude", "drop",
                      "value is in the rule's exclude.values")
            return None
        if crule.rule.exclude.patterns:
            for pat, short in crule.exclude_patterns:
                if (pat.fullmatch(value) if len(value) <= short
                        else pat.fullmatch(value, timeout=self.pattern_timeout)):
                    if tracer is not None:
                        _note(tracer, rule, start, end, "exclude", "drop",
                              f"value matches exclude pattern {pat.pattern[:60]!r}")
                    return None
        w = rule.context.window
        near: ScannedText | None = None
        if crule.exclude_words is not None:
            near = state.window_words(start, end, w)
            word, _where = _word_nearby(crule.exclude_words, near, state)
            if word is not None:
                if tracer is not None:
                    _note(tracer, rule, start, end, "exclude", "drop",
                          f"exclusion word {word!r} nearby")
                return None

        allowed_key = (rule.type, value)
        allowed = self._allowed.get(allowed_key, _UNSET)
        if allowed is _UNSET:
            allowed = self.allowlist.match(rule.type, value)
            if len(self._allowed) >= _MEMO_SIZE:
                self._allowed.clear()
            self._allowed[allowed_key] = allowed
        if allowed is not None:
            if tracer is not None:
                _note(tracer, rule, start, end, "allowlist", "drop", f"allowlisted: {allowed}")
            return None
        if state.ignored_by_marker(rule.id, start):
            if tracer is not None:
                _note(tracer, rule, start, end, "ignore-marker", "drop",
                      "line carries a `dataclass-scan: ignore` marker")
            return None

        confidence = rule.confidence
        if crule.keywords is not None:
            if near is None:
                near = state.window_words(start, end, w)
            word, where = _word_nearby(crule.keywords, near, state)
            if word is not None:
                confidence = confidence.raised(rule.context.boost)
                reasons.append(f"context word {word!r}")
                if tracer is not None:
                    _note(tracer, rule, start, end, "context", "raise",
                          f"context word {word!r} {where}: "
                          f"{rule.confidence.value} -> {confidence.value}")
            elif rule.context.required:
                if tracer is not None:
                    _note(tracer, rule, start, end, "context", "drop", "no context word "
                          f"within {w} characters or in the column/key, and context is "
                          "required")
                return None
            elif tracer is not None:
                _note(tracer, rule, start, end, "context", "info", "no context word nearby")
        if crule.negative is not None:
            if near is None:
                near = state.window_words(start, end, w)
            word, _where = _word_nearby(crule.negative, near, state)
            if word is not None:
                rank = confidence.rank - rule.context.penalty
                if rank < 0:
                    if tracer is not None:
                        _note(tracer, rule, start, end, "negative", "drop",
                              f"negative context word {word!r} pushed it below low")
                    return None
                lowered = _LEVELS[rank]
                if tracer is not None:
                    _note(tracer, rule, start, end, "negative", "lower",
                          f"negative context word {word!r}: "
                          f"{confidence.value} -> {lowered.value}")
                confidence = lowered
                reasons.append(f"negative context word {word!r}")
        if tracer is not None:
            _note(tracer, rule, start, end, "result", "keep",
                  f"candidate kept at {confidence.value}")
        return Candidate(rule, start, end, value, confidence, tuple(reasons))

    def _exact_data_match(
        self, state: _SegmentState, candidates: list[Candidate], tracer: Tracer | None
    ) -> list[Candidate]:
        """Findings whose value is a record of a loaded .edm file become high confidence;
        word-like tokens (and a whole table cell) that are records become findings."""
        assert self.edm is not None
        text = state.segment.text
        out: list[Candidate] = []
        for c in candidates:
            hit = self.edm.match(c.value)
            if hit is not None:
                why = f"exact data match: {hit[0]} column {hit[1]}"
                if tracer is not None:
                    tracer(TraceEvent(c.rule.id, c.start, c.end, "edm", "raise", why))
                c = Candidate(c.rule, c.start, c.end, c.value, Confidence.HIGH,
                              (*c.reasons, why))
            out.append(c)
        spans = [(m.start(), m.end()) for m in _EDM_TOKEN_RE.finditer(text)]
        stripped = text.strip()
        if stripped and " " in stripped and "\n" not in stripped and len(stripped) <= 200:
            lo = text.index(stripped)
            spans.append((lo, lo + len(stripped)))
        for start, end in spans:
            if any(c.start <= start and end <= c.end for c in out):
                continue
            hit = self.edm.match(text[start:end])
            if hit is None:
                continue
            why = f"exact data match: {hit[0]} column {hit[1]}"
            if tracer is not None:
                tracer(TraceEvent(_EDM_RULE.id, start, end, "edm", "keep", why))
            out.append(Candidate(_EDM_RULE, start, end, text[start:end], Confidence.HIGH,
                                 (why,)))
        return out

    # -- file level ------------------------------------------------------------------

    @property
    def min_counts(self) -> dict[str, int]:
        """Rule id -> `min_count`, for the rules that need more than one finding."""
        return self._min_counts

    def kept_rules(self, path: str, counts: Mapping[str, int]) -> set[str]:
        """`finalize` from per-rule counts of every finding of a file, for a runner that
        lists only some of them (`--max-findings`): the rules whose findings the file
        keeps. None when the path is allowlisted, else those with `min_count` or more."""
        if self.allowlist.path_allowed(path):
            return set()
        return {r for r, n in counts.items() if n >= self._min_counts.get(r, 1)}

    def finalize(
        self, path: str, findings: Sequence[Finding], tracer: Tracer | None = None
    ) -> list[Finding]:
        """File-level steps once every segment is scanned: the path allowlist and each
        rule's `min_count` (fewer findings of the rule in the file drops them all)."""
        if not findings:
            return list(findings)
        if self.allowlist.path_allowed(path):
            if tracer is not None:
                tracer(TraceEvent("*", -1, -1, "allowlist", "drop", f"path {path} is "
                                  f"allowlisted; {len(findings)} finding(s) dropped"))
            return []
        if not self._min_counts:
            return list(findings)
        counts = Counter(f.rule for f in findings)
        kept = self.kept_rules(path, counts)  # the runner's way, from counts alone
        out = [f for f in findings if f.rule in kept]
        if tracer is not None:
            for rule_id, n in sorted(counts.items()):
                need = self._min_counts.get(rule_id, 1)
                if n < need:
                    tracer(TraceEvent(rule_id, -1, -1, "min_count", "drop",
                                      f"{n} finding(s) in the file, the rule needs {need}"))
        return out


def _note(tracer: Tracer, rule: Rule, start: int, end: int, step: str, outcome: str,
          detail: str) -> None:
    tracer(TraceEvent(rule.id, start, end, step, outcome, detail))


def _word_nearby(words: WordSet, near: ScannedText, state: _SegmentState
                 ) -> tuple[str | None, str]:
    """A word of `words` in the candidate's window, else in the column header or JSON
    key; and where it was looked for last."""
    word = words.search(near)
    if word is None and state.context:
        return words.search(state.context_words()), "in the column/key"
    return word, "nearby"


class _NearbySpans:
    """The spans that can matter to one finding's excerpt (those within its reach), so
    building every excerpt of a file with many findings is not quadratic."""

    _REACH = 64  # at least masking.excerpt's width

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = spans  # sorted by start
        self.starts = [s for s, _, _ in spans]
        self.longest = max((e - s for s, e, _ in spans), default=0)

    def __call__(self, start: int, end: int) -> list[tuple[int, int, str]]:
        reach = self._REACH + 2 * self.longest
        lo = bisect.bisect_left(self.starts, start - reach)
        hi = bisect.bisect_right(self.starts, end + reach)
        return self.spans[lo:hi]


@lru_cache(maxsize=8)
def _name_matcher(first: tuple[str, ...], last: tuple[str, ...], native: bool,
                  cache: bool) -> NameMatcher:
    return NameMatcher(first, last, native=native, cache=cache)


def _resolve_overlaps(candidates: list[Candidate], tracer: Tracer | None = None
                      ) -> list[Candidate]:
    """Drop a candidate whose span lies inside a stronger one (same value found twice)."""
    if len(candidates) < 2:
        return candidates
    ranked = sorted(
        candidates, key=lambda c: (-c.confidence.rank, -(c.end - c.start), c.start, c.rule.id)
    )
    longest = max(c.end - c.start for c in candidates)
    kept: list[Candidate] = []
    # Kept spans sorted by start, with their rank, to find containing spans quickly.
    starts: list[int] = []
    entries: list[tuple[int, int, int]] = []  # (start, rank, end)
    for c in ranked:
        i = bisect.bisect_right(starts, c.start)
        inside_rank = -1
        while i > 0 and starts[i - 1] >= c.start - longest:
            i -= 1
            _s, rank, e = entries[i]
            if e >= c.end and (inside_rank < 0 or rank < inside_rank):
                inside_rank = rank
        if inside_rank >= 0:
            if tracer is not None:
                tracer(TraceEvent(c.rule.id, c.start, c.end, "overlap", "drop",
                                  f"inside a stronger finding of rule {kept[inside_rank].rule.id}"))
            continue
        j = bisect.bisect_right(starts, c.start)
        starts.insert(j, c.start)
        entries.insert(j, (c.start, len(kept), c.end))
        kept.append(c)
    kept.sort(key=lambda c: (c.start, c.end, c.rule.id))
    return kept
