"""`rules lint`: schema errors, duplicate ids, patterns that can backtrack
catastrophically, and rules without examples.

Backtracking is checked two ways: statically (a repeated group that itself holds an
unbounded quantifier, `(a+)+`, `(\\w+\\s?)*`, or a repeated alternation whose branches
overlap, `(a|aa)+`) and by running each pattern on stress inputs built from its own
examples under a short time limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from dataclass_scan.detect.rulepack import Rule, RulePack, load_pack, rule_files
from dataclass_scan.errors import RulePackError

STRESS_TIMEOUT = 0.25
STRESS_REPEAT = 40


@dataclass(frozen=True, slots=True)
class LintIssue:
    severity: str  # error | warning
    where: str  # file:line
    rule: str
    message: str


@dataclass(slots=True)
class _Frame:
    start: int
    atomic: bool = False
    unbounded_inside: bool = False
    branches: list[str] = field(default_factory=list)
    branch_start: int = 0


def _quantifier_at(p: str, i: int) -> tuple[int, int | None, bool, int] | None:
    """Parse a quantifier at p[i]: (min, max or None, possessive, length)."""
    if i >= len(p):
        return None
    ch = p[i]
    if ch in "*+?":
        lo, hi, j = (0 if ch != "+" else 1), (None if ch != "?" else 1), i + 1
    elif ch == "{":
        m = regex.match(r"\{(\d*)(,?)(\d*)\}", p[i:])
        if m is None or (not m.group(1) and not m.group(3)):
            return None
        lo = int(m.group(1) or 0)
        hi = int(m.group(3)) if m.group(3) else (None if m.group(2) else lo)
        j = i + m.end()
    else:
        return None
    possessive = j < len(p) and p[j] == "+"
    if j < len(p) and p[j] in "?+":
        j += 1
    return lo, hi, possessive, j - i


def _skip_class(p: str, i: int) -> int:
    """Index after the character class starting at p[i] == '['."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    depth = 1
    while j < len(p) and depth:
        if p[j] == "\\":
            j += 2
            continue
        if p[j] == "[":
            depth += 1
        elif p[j] == "]":
            depth -= 1
        j += 1
    return j


def _skip_escape(p: str, i: int) -> int:
    j = i + 2
    if i + 1 < len(p) and p[i + 1] in "pPxNu" and j < len(p) and p[j] == "{":
        close = p.find("}", j)
        return close + 1 if close != -1 else len(p)
    return j


def backtracking_risks(pattern: str) -> list[tuple[str, str]]:
    """(severity, message) for each risky construct found statically."""
    out: list[tuple[str, str]] = []
    stack: list[_Frame] = [_Frame(0)]
    i = 0
    p = pattern
    while i < len(p):
        ch = p[i]
        if ch == "\\":
            i = _skip_escape(p, i)
        elif ch == "[":
            i = _skip_class(p, i)
        elif ch == "(":
            atomic = p.startswith("(?>", i)
            if p.startswith("(?P<", i) or (
                p.startswith("(?<", i) and not p.startswith(("(?<=", "(?<!"), i)
            ):
                close = p.find(">", i)
                j = close + 1 if close != -1 else i + 1
            elif p.startswith("(?", i):
                m = regex.match(r"\(\?(?:[:>=!|]|<[=!]|[a-zA-Z-]*:)", p[i:])
                j = i + (m.end() if m else 2)
            else:
                j = i + 1
            frame = _Frame(i, atomic=atomic)
            frame.branch_start = j
            stack.append(frame)
            i = j
            continue
        elif ch == "|":
            top = stack[-1]
            top.branches.append(p[top.branch_start:i])
            top.branch_start = i + 1
            i += 1
            continue
        elif ch == ")" and len(stack) > 1:
            frame = stack.pop()
            frame.branches.append(p[frame.branch_start:i])
            i += 1
            q = _quantifier_at(p, i)
            if q is not None:
                lo, hi, possessive, qlen = q
                repeats = hi is None or hi > 1
                if repeats and not possessive and not frame.atomic:
                    body = p[frame.start:i]
                    if frame.unbounded_inside:
                        out.append(("error", f"nested quantifier: the repeated group "
                                    f"{body[:50]!r} holds an unbounded quantifier"))
                    literal = [b for b in frame.branches if b and regex.escape(b) == b]
                    if len(frame.branches) > 1 and any(
                        a != b and b.startswith(a) for a in literal for b in literal
                    ) or len(set(frame.branches)) < len(frame.branches):
                        out.append(("error", f"overlapping alternation in the repeated "
                                    f"group {body[:50]!r}"))
                if (hi is None or frame.unbounded_inside) and not possessive:
                    stack[-1].unbounded_inside = True
                i += qlen
            elif frame.unbounded_inside and not frame.atomic:
                stack[-1].unbounded_inside = True
            continue
        else:
            i += 1
        q = _quantifier_at(p, i)
        if q is not None:
            lo, hi, possessive, qlen = q
            if hi is None and not possessive:
                stack[-1].unbounded_inside = True
            i += qlen
    return out


def _stress_inputs(rule: Rule) -> list[str]:
    out = ["a" * 2000 + "!", "1" * 2000 + "x", " " * 2000 + "x", "aA1-_. " * 300 + "\x00"]
    for ex in rule.match_examples[:3]:
        out.append(ex * STRESS_REPEAT)
        if len(ex) > 1:
            out.append(ex[:-1] * STRESS_REPEAT + "\x00")
    return out


def stress_timeouts(rule: Rule, timeout: float = STRESS_TIMEOUT) -> list[str]:
    bad: list[str] = []
    for pat in rule.patterns:
        compiled = regex.compile(pat, rule.flags)
        for text in _stress_inputs(rule):
            try:
                for _ in compiled.finditer(text, timeout=timeout):
                    pass
            except TimeoutError:
                bad.append(pat)
                break
    return bad


def lint_rule(rule: Rule, stress: bool = True) -> list[LintIssue]:
    issues: list[LintIssue] = []
    for pat in (*rule.patterns, *rule.exclude.patterns):
        for severity, message in backtracking_risks(pat):
            issues.append(LintIssue(severity, rule.source, rule.id,
                                    f"{message}: it can backtrack catastrophically; make the inner "
                                    "quantifier possessive (`++`) or the group atomic (`(?>...)`)"))
    if stress and rule.kind == "regex":
        for pat in stress_timeouts(rule):
            issues.append(LintIssue("error", rule.source, rule.id,
                                    f"pattern {pat[:60]!r} timed out on a stress input "
                                    f"({STRESS_TIMEOUT}s)"))
    if not rule.match_examples:
        issues.append(LintIssue("warning", rule.source, rule.id, "no `match` examples"))
    if not rule.no_match_examples:
        issues.append(LintIssue("warning", rule.source, rule.id, "no `no_match` examples"))
    return issues


def lint_paths(
    paths: Iterable[Path], stress: bool = True
) -> tuple[list[RulePack], list[LintIssue]]:
    """Load each rule file separately, so one broken file does not hide the others."""
    issues: list[LintIssue] = []
    packs: list[RulePack] = []
    try:
        files = rule_files(list(paths))
    except RulePackError as exc:
        return [], [LintIssue("error", exc.path, "", exc.detail)]
    for f in files:
        try:
            packs.append(load_pack(f))
        except RulePackError as exc:
            where = f"{exc.path}:{exc.line}" if exc.line else exc.path
            issues.append(LintIssue("error", where, "", exc.detail))
    issues.extend(lint_packs(packs, stress=stress))
    return packs, issues


def lint_packs(packs: Sequence[RulePack], stress: bool = True) -> list[LintIssue]:
    issues: list[LintIssue] = []
    seen: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                issues.append(LintIssue("error", rule.source, rule.id,
                                        f"duplicate rule id (first defined in {seen[rule.id]})"))
            else:
                seen[rule.id] = rule.source
            issues.extend(lint_rule(rule, stress=stress))
    return issues
