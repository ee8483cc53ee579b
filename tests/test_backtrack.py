"""detect/backtrack.py: which patterns may skip the regex timeout on short spans."""

from __future__ import annotations

import pytest

from dataclass_scan.api import load_rules
from dataclass_scan.config import Config
from dataclass_scan.detect.backtrack import LENGTHS, short_limit
from dataclass_scan.detect.engine import Engine
from dataclass_scan.model import Location, Segment


@pytest.mark.parametrize("pattern", [
    r"(a+)+b", r"(?:a|a)*b", r"(\w+\s?)*$", r"(?:x?)*y", r"(a|aa)+$", r"(?:\d+-?)+x",
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",  # nested unbounded
    r"(?:foo){e<=1}", r"\p{Lu}+\d", r"(a)(?(1)b|c)",  # not analysed: always a timeout
    r"(a*)\1+",  # a repeated back-reference that can match nothing
])
def test_patterns_that_can_backtrack_keep_the_timeout(pattern):
    assert short_limit(pattern) == 0


@pytest.mark.parametrize(("pattern", "at_least"), [
    (r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", 512),
    (r"(?<![\d-])\d{3}([- ]?)\d{3}\1\d{4}(?![\d-])", 512),
    (r"AKIA[A-Z2-7]{16}", 512),
    (r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,3}", 32),
    # A repeated back-reference is as wide as its group (exclusions like `(\d)\1+`).
    (r"(\d)\1+", 64),
    (r"[0-9A-F]{2}([:-])[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}", 512),
])
def test_bounded_patterns_run_without_it_on_short_spans(pattern, at_least):
    assert short_limit(pattern) >= at_least
    assert short_limit(pattern) in LENGTHS


def test_builtin_patterns_mostly_bounded_and_results_unchanged():
    packs = load_rules(Config())
    limits = [short_limit(p, r.flags) for pack in packs for r in pack.rules
              if r.kind == "regex" for p in r.patterns]
    assert sum(1 for x in limits if x) > len(limits) // 2
    # A pattern that backtracks catastrophically still times out on a short cell.
    from dataclass_scan.detect.rulepack import Rule, RulePack
    from dataclass_scan.model import Confidence

    evil = Rule(id="evil", name="evil", type="EVIL", category="pii", pack="t",
                confidence=Confidence.LOW, patterns=(r"(a|aa)+$",))
    engine = Engine([RulePack(name="t", path="t", digest="t", rules=(evil,))],
                    pattern_timeout=0.2, prefilter=False)
    res = engine.detect(Segment(text="a" * 40 + "!", location=Location(line=1)))
    assert res.errors and "timed out" in res.errors[0]
