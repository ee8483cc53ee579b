"""Labels, destinations and verdicts: every policy path and every exit code of `check`
and `scan --fail-closed`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.classify.labels import load_label_policy
from dataclass_scan.classify.policy import assess, verdict_for
from dataclass_scan.cli import app
from dataclass_scan.model import Confidence, Finding, Location, Verdict
from fixtures.builder import PLANTED

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")


def finding(type_: str, category: str = "pii", conf: str = "high", rule: str = "",
            value: str = "v") -> Finding:
    return Finding(rule=rule or type_.lower(), type=type_, category=category,
                   confidence=Confidence(conf), location=Location(line=1), excerpt="***",
                   value_hash=f"h:{type_}:{value}")


POLICY = load_label_policy()


@pytest.mark.parametrize(
    ("findings", "label"),
    [
        ([], "Public"),
        ([finding("EMAIL")], "Internal"),
        ([finding("EMAIL", conf="low")], "Public"),
        ([finding("EMAIL", value=str(i)) for i in range(20)], "Confidential"),
        ([finding("EMAIL", value="same") for _ in range(20)], "Internal"),  # distinct < 20
        ([finding("US_SSN", conf="medium")], "Confidential"),
        ([finding("US_SSN")], "Restricted"),
        ([finding("AWS_ACCESS_KEY", category="secret", conf="low")], "Restricted"),
        ([finding("MARKING", "marking", rule="marking.confidential")], "Confidential"),
        ([finding("MARKING", "marking", rule="marking.internal")], "Internal"),
    ],
)
def test_label_mapping(findings, label):
    assert POLICY.classify(findings)[0] == label


@pytest.mark.parametrize(
    ("dest", "label", "verdict"),
    [
        ("public-ai", "Public", "allow"),
        ("public-ai", "Internal", "review"),
        ("public-ai", "Confidential", "block"),
        ("enterprise-ai", "Internal", "allow"),
        ("enterprise-ai", "Confidential", "review"),
        ("enterprise-ai", "Restricted", "block"),
        ("internal-llm", "Confidential", "allow"),
        ("internal-llm", "Restricted", "review"),
    ],
)
def test_destination_verdicts(dest, label, verdict):
    v, reasons = verdict_for(POLICY, POLICY.destinations[dest], label, [])
    assert v.value == verdict
    assert bool(reasons) == (verdict != "allow")


@pytest.mark.parametrize("dest", ["public-ai", "enterprise-ai", "internal-llm"])
def test_secrets_never_go_anywhere(dest):
    v, reasons = verdict_for(POLICY, POLICY.destinations[dest], "Public",
                             [finding("GITHUB_TOKEN", category="secret")])
    assert v is Verdict.BLOCK and "secret" in reasons[0]


def test_assess_flags_content_above_declared_label():
    label, verdict, reasons = assess(POLICY, POLICY.destinations["internal-llm"],
                                     [finding("US_SSN")], declared_label="Internal")
    assert (label, verdict) == ("Restricted", Verdict.REVIEW)
    assert reasons[-1] == "content is Restricted, above its declared label Internal"
    assert assess(POLICY, POLICY.destinations["internal-llm"], [finding("US_SSN")],
                  declared_label="Restricted")[2][-1].startswith("Restricted is above")


@pytest.mark.parametrize(
    ("name", "label"),
    [("Highly Confidential\\Finance", "Restricted"), ("general", "Internal"),
     ("Confidential - Project X", "Confidential"), ("{Public}", "Public"), ("Bogus", None)],
)
def test_declared_names_map_onto_taxonomy(name, label):
    assert POLICY.map_declared(name) == label


@pytest.fixture()
def gate_dir(tmp_path: Path) -> dict[str, Path]:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "notes.txt").write_text("Nothing to see here.\n")
    review = tmp_path / "review"
    review.mkdir()
    (review / "contact.txt").write_text(f"Write to {PLANTED['EMAIL']} please.\n")
    block = tmp_path / "block"
    block.mkdir()
    (block / "ssn.txt").write_text(f"SSN: {PLANTED['US_SSN']}\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "notes.txt").write_text("Nothing to see here.\n")
    (locked / "sealed.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return {"clean": clean, "review": review, "block": block, "locked": locked}


@pytest.mark.parametrize(
    ("case", "args", "code", "headline"),
    [
        ("clean", [], 0, "ALLOW"),
        ("review", [], 0, "REVIEW"),
        ("review", ["--fail-on", "review"], 1, "REVIEW"),
        ("review", ["--for", "enterprise-ai"], 0, "ALLOW"),
        ("block", [], 1, "BLOCK"),
        ("block", ["--fail-on", "never"], 0, "BLOCK"),
        ("block", ["--for", "internal-llm"], 0, "REVIEW"),
        ("block", ["--for", "internal-llm", "--fail-on", "review"], 1, "REVIEW"),
        ("locked", [], 3, "INCOMPLETE"),
        ("locked", ["--fail-closed"], 1, "BLOCK"),
    ],
)
def test_check_verdicts_and_exit_codes(gate_dir, case, args, code, headline):
    r = runner.invoke(app, ["check", str(gate_dir[case]), *args])
    assert r.exit_code == code, r.output
    assert r.stdout.startswith(headline), r.output
    assert f"exit {code}" in r.stdout


def test_check_screen_says_why_and_where(gate_dir):
    r = runner.invoke(app, ["check", str(gate_dir["block"]), "--for", "public-ai"])
    out = r.stdout
    assert "block  " in out and "ssn.txt  Restricted" in out
    assert "why   US_SSN (high) x1 -> Restricted" in out
    assert f"look  {gate_dir['block'] / 'ssn.txt'}:line 1:col 6  US_SSN (high)" in out
    assert PLANTED["US_SSN"] not in out
    assert len(out.splitlines()) < 25  # one screen


def test_check_fail_closed_names_unread_file(gate_dir):
    r = runner.invoke(app, ["check", str(gate_dir["locked"]), "--fail-closed"])
    assert "sealed.docx" in r.stdout and "blocked by --fail-closed" in r.stdout


def test_scan_fail_closed_and_unknown_destination(gate_dir):
    r = runner.invoke(app, ["scan", str(gate_dir["locked"]), "--fail-closed", "-f", "json"])
    assert r.exit_code == 1, r.output
    r = runner.invoke(app, ["scan", str(gate_dir["locked"]), "-q"])
    assert r.exit_code == 3, r.output
    r = runner.invoke(app, ["check", str(gate_dir["clean"]), "--for", "nowhere"])
    assert r.exit_code == 2 and "unknown destination" in r.output
