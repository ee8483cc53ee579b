from __future__ import annotations

from pathlib import Path

import pytest

from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.rulepack import builtin_rules_dir, load_pack, load_packs
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Segment

BUILTIN = load_packs()
ENGINE = Engine(BUILTIN)


def _examples():
    for pack in BUILTIN:
        for rule in pack.rules:
            for text in rule.match_examples:
                yield pytest.param(rule.id, text, True, id=f"{rule.id}-match-{text[:20]}")
            for text in rule.no_match_examples:
                yield pytest.param(rule.id, text, False, id=f"{rule.id}-nomatch-{text[:20]}")


@pytest.mark.parametrize(("rule_id", "text", "should_match"), list(_examples()))
def test_builtin_rule_examples(rule_id: str, text: str, should_match: bool) -> None:
    hits = {f.rule for f in ENGINE.detect(Segment(text=text)).findings}
    assert (rule_id in hits) is should_match, f"{rule_id} on {text!r}: found {hits}"


def test_starter_pack_covers_required_types() -> None:
    types = {r.type for p in BUILTIN for r in p.rules}
    assert {"EMAIL", "PHONE", "CREDIT_CARD", "US_SSN", "IBAN", "IPV4", "AWS_ACCESS_KEY",
            "PRIVATE_KEY", "MARKING"} <= types


def test_builtin_rules_dir_has_labels() -> None:
    assert (builtin_rules_dir() / "labels.yml").is_file()


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "custom.yml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("pack: x\nrules:\n  - id: a\n    type: A\n    category: pii\n    patern: 'x'\n",
         6, "unknown key 'patern'"),
        ("pack: x\nrules:\n  - id: a\n    type: A\n    category: pii\n    patterns:\n"
         "      - 'ok'\n      - '(unclosed'\n", 8, "bad pattern"),
        ("pack: x\nrules:\n  - id: a\n    type: A\n    category: nope\n    patterns: [x]\n",
         5, "category 'nope'"),
        ("pack: x\nrules:\n  - id: a\n    type: lower\n    category: pii\n    patterns: [x]\n",
         4, "UPPER_SNAKE"),
        ("pack: x\nrules:\n  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n"
         "    validators: [nosuch]\n", 7, "unknown validator"),
        ("pack: x\nrules:\n  - id: a\n    type: A\n   category: pii\n", 5, "invalid YAML"),
        ("pack: x\nrules:\n  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n"
         "    flags: [IGNORCASE]\n", 7, "unknown flag"),
    ],
)
def test_bad_rule_file_names_file_and_line(tmp_path: Path, body: str, line: int,
                                           needle: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert err.value.line == line
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_duplicate_rule_id_across_packs(tmp_path: Path) -> None:
    path = _write(tmp_path, "pack: x\nrules:\n  - id: email\n    type: EMAIL\n"
                  "    category: pii\n    patterns: ['x@y']\n")
    with pytest.raises(RulePackError, match="duplicate rule id 'email'"):
        load_packs([path])


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = _write(tmp_path, "pack: !!python/object/apply:os.system ['echo hi']\nrules: []\n")
    with pytest.raises(RulePackError, match="invalid YAML"):
        load_pack(path)
