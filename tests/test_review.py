"""Review decisions: recorded with reviewer, reason and time in the baseline and the
audit log, and honoured by later scans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.classify.baseline import Decision, load_baseline
from dataclass_scan.cli import app
from fixtures.builder import PLANTED

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")
NEW_SSN = "536-71-4420"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "people.txt").write_text(
        f"SSN: {PLANTED['US_SSN']}\nMail {PLANTED['EMAIL']}\n")
    assert runner.invoke(app, ["baseline", "create", "data"]).exit_code == 0
    return tmp_path


def ids(repo: Path) -> dict[str, str]:
    return {e.type: e.id for e in load_baseline(repo / ".dataclass-baseline.json").entries}


def scan_code(*extra: str) -> int:
    return runner.invoke(app, ["scan", "data", "-q", "--baseline", ".dataclass-baseline.json",
                               *extra]).exit_code


def test_lists_open_findings_without_a_terminal(repo: Path):
    r = runner.invoke(app, ["review"])
    assert r.exit_code == 0, r.output
    assert "2 open findings" in r.stdout
    assert ids(repo)["US_SSN"] in r.stdout and "data/people.txt" in r.stdout
    assert PLANTED["US_SSN"] not in r.stdout


def test_must_fix_is_recorded_audited_and_keeps_failing(repo: Path):
    log = repo / "audit.jsonl"
    assert scan_code() == 0
    ssn = ids(repo)["US_SSN"]
    r = runner.invoke(app, ["review", "--finding", ssn, "--decision", "must-fix",
                            "--reason", "real customer SSN", "--reviewer", "ana",
                            "--audit-log", str(log)])
    assert r.exit_code == 0, r.output
    entry = next(e for e in load_baseline(repo / ".dataclass-baseline.json").entries
                 if e.id == ssn)
    assert entry.decision is Decision.MUST_FIX and entry.reviewer == "ana"
    assert entry.reason == "real customer SSN" and entry.decided
    audit = [json.loads(x) for x in log.read_text().splitlines()]
    assert audit[-1]["event"] == "review"
    assert audit[-1]["data"]["decision"] == "must-fix" and audit[-1]["data"]["reviewer"] == "ana"
    assert scan_code() == 1  # must-fix stays reported
    assert "1 open findings" in runner.invoke(app, ["review"]).stdout
    assert runner.invoke(app, ["audit", "verify", str(log)]).exit_code == 0


def test_false_positive_on_a_new_finding_is_suppressed_later(repo: Path):
    p = repo / "data" / "people.txt"
    p.write_text(p.read_text() + f"Test SSN: {NEW_SSN}\n")
    assert scan_code() == 1
    r = runner.invoke(app, ["review", "data"])
    assert "1 open findings" not in r.stdout and "3 open findings" in r.stdout
    new_id = next(line.split()[0] for line in r.stdout.splitlines()[1:]
                  if "US_SSN" in line and line.split()[0] != ids(repo)["US_SSN"])
    r = runner.invoke(app, ["review", "data", "--finding", new_id, "--decision",
                            "false-positive", "--reason", "synthetic test number"])
    assert r.exit_code == 0, r.output
    assert scan_code() == 0
    assert len(load_baseline(repo / ".dataclass-baseline.json").entries) == 3


def test_accept_all_open(repo: Path):
    r = runner.invoke(app, ["review", "--all", "--decision", "accepted-risk", "--reason",
                            "legacy export, deleted next quarter"])
    assert r.exit_code == 0
    assert {e.decision for e in load_baseline(repo / ".dataclass-baseline.json").entries} \
        == {Decision.ACCEPTED_RISK}
    assert "no open findings" in runner.invoke(app, ["review"]).stdout
    assert scan_code() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--decision", "must-fix"], "--reason is required"),
        (["--all", "--decision", "maybe", "--reason", "x"], "--decision must be one of"),
        (["--decision", "must-fix", "--reason", "x"], "--finding ID or --all"),
        (["--finding", "abc", "--decision", "must-fix", "--reason", "x"], "at least 6"),
        (["--finding", "ffffffffff", "--decision", "must-fix", "--reason", "x"],
         "no such finding"),
        (["--baseline", "missing.json"], "baseline not found"),
    ],
)
def test_usage_errors(repo: Path, args, message):
    r = runner.invoke(app, ["review", *args])
    assert r.exit_code == 2 and message in r.output


def test_interactive_prompts_record_decisions(repo: Path):
    r = runner.invoke(app, ["review", "data", "--interactive", "--reviewer", "bo"],
                      input="f\nnot a real person\ns\n")
    assert r.exit_code == 0, r.output
    assert "1/2" in r.stdout and "2/2" in r.stdout and "1 decisions recorded" in r.stdout
    decided = [e for e in load_baseline(repo / ".dataclass-baseline.json").entries
               if e.decision is not None]
    assert len(decided) == 1 and decided[0].decision is Decision.FALSE_POSITIVE
    assert decided[0].reviewer == "bo" and decided[0].reason == "not a real person"
