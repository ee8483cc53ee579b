"""Run every rule's embedded examples (`match` must be found, `no_match` must not).

Each rule is tested on its own (an engine holding only that rule, with the same
allowlist a scan uses), so a rule's examples say what the rule does whatever else is
loaded. Every failure is collected; nothing stops at the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataclass_scan.detect import allowlist as allowlists
from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.rulepack import Rule, RulePack
from dataclass_scan.model import Segment


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    rule: str
    pack: str
    source: str
    kind: str  # "match" (expected a finding, got none) or "no_match" (got one)
    text: str
    detail: str


@dataclass(frozen=True, slots=True)
class ExampleReport:
    rules: int
    examples: int
    failures: tuple[ExampleFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def rule_hits(engine: Engine, rule: Rule, text: str) -> tuple[list[str], list[str]]:
    """(values the rule found in text, errors) — file-level steps included."""
    res = engine.detect(Segment(text=text))
    findings = engine.finalize("example.txt", res.findings)
    return [f.value for f in findings if f.rule == rule.id], list(res.errors)


def run_examples(
    packs: Sequence[RulePack], allowlist: allowlists.Allowlist | None = None
) -> ExampleReport:
    allow = allowlist if allowlist is not None else allowlists.default()
    failures: list[ExampleFailure] = []
    n_rules = n_examples = 0
    for pack in packs:
        for rule in pack.rules:
            n_rules += 1
            single = RulePack(name=pack.name, path=pack.path, digest=pack.digest, rules=(rule,))
            engine = Engine([single], allowlist=allow, pattern_timeout=1.0)
            for kind, texts in (("match", rule.match_examples),
                                ("no_match", rule.no_match_examples)):
                for text in texts:
                    n_examples += 1
                    values, errors = rule_hits(engine, rule, text)
                    if errors:
                        failures.append(ExampleFailure(rule.id, pack.name, rule.source, kind,
                                                       text, "; ".join(errors)))
                    elif kind == "match" and not values:
                        failures.append(ExampleFailure(rule.id, pack.name, rule.source, kind,
                                                       text, "expected a finding, got none"))
                    elif kind == "no_match" and values:
                        failures.append(ExampleFailure(
                            rule.id, pack.name, rule.source, kind, text,
                            f"expected no finding, got {len(values)}"))
    return ExampleReport(rules=n_rules, examples=n_examples, failures=tuple(failures))
