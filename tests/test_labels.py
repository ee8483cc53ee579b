from __future__ import annotations

from pathlib import Path

import pytest

from dataclass_scan.classify.labels import load_label_policy
from dataclass_scan.classify.policy import verdict_for
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Confidence, Finding, Location, Verdict

POLICY = load_label_policy()


def f(type_: str, category: str = "pii", conf: str = "high", rule: str = "r", h: str = "1"):
    return Finding(rule=rule, type=type_, category=category, confidence=Confidence(conf),
                   location=Location(), excerpt="", value_hash=h)


def test_default_taxonomy_order():
    assert POLICY.labels == ("Public", "Internal", "Confidential", "Restricted")


@pytest.mark.parametrize(
    ("findings", "label"),
    [
        ([], "Public"),
        ([f("US_SSN")], "Restricted"),
        ([f("US_SSN", conf="medium")], "Confidential"),
        ([f("EMAIL")], "Internal"),
        ([f("EMAIL", h=str(i)) for i in range(20)], "Confidential"),
        ([f("EMAIL", h="same") for _ in range(20)], "Internal"),
        ([f("AWS_ACCESS_KEY", category="secret")], "Restricted"),
        ([f("MARKING", category="marking", rule="marking.confidential")], "Confidential"),
        ([f("IPV4", conf="low")], "Public"),
    ],
)
def test_label_mapping(findings, label):
    assert POLICY.classify(findings)[0] == label


@pytest.mark.parametrize(
    ("dest", "label", "findings", "verdict"),
    [
        ("public-ai", "Public", [], Verdict.ALLOW),
        ("public-ai", "Internal", [f("EMAIL")], Verdict.REVIEW),
        ("public-ai", "Confidential", [f("US_SSN", conf="medium")], Verdict.BLOCK),
        ("enterprise-ai", "Internal", [f("EMAIL")], Verdict.ALLOW),
        ("enterprise-ai", "Confidential", [f("US_SSN", conf="medium")], Verdict.REVIEW),
        ("enterprise-ai", "Restricted", [f("US_SSN")], Verdict.BLOCK),
        ("enterprise-ai", "Restricted",
         [f("AWS_ACCESS_KEY", category="secret")], Verdict.BLOCK),
    ],
)
def test_destination_verdicts(dest, label, findings, verdict):
    v, reasons = verdict_for(POLICY, POLICY.destinations[dest], label, findings)
    assert v is verdict
    assert bool(reasons) == (verdict is not Verdict.ALLOW)


def test_secrets_block_everywhere_with_reason():
    v, reasons = verdict_for(POLICY, POLICY.destinations["enterprise-ai"], "Restricted",
                             [f("AWS_ACCESS_KEY", category="secret")])
    assert v is Verdict.BLOCK and "AWS_ACCESS_KEY" in reasons[0] and "secret" in reasons[0]


def test_bad_labels_file_names_line(tmp_path: Path):
    p = tmp_path / "labels.yml"
    p.write_text("labels: [A, B]\ndefault: A\nmapping:\n  - label: C\n    types: [X]\n"
                 "destinations:\n  d: {allow_up_to: A}\n", encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_label_policy(p)
    assert err.value.line == 4 and "'C' is not one of A, B" in str(err.value)
