"""Baselines: create, suppress known findings, report new ones, expiry, key mismatch."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.classify.baseline import (
    Decision,
    Entry,
    load_baseline,
    new_baseline,
    norm_path,
    parse_expiry,
)
from dataclass_scan.cli import app
from fixtures.builder import PLANTED

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")

OTHER_SSN = "536-71-4420"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.txt").write_text(f"SSN: {PLANTED['US_SSN']}\nMail {PLANTED['EMAIL']}\n")
    (data / "clean.txt").write_text("nothing here\n")
    return tmp_path


def scan_json(*args: str) -> tuple[int, dict]:
    r = runner.invoke(app, ["scan", *args, "-f", "json"])
    assert r.exit_code in (0, 1, 3), r.output
    return r.exit_code, json.loads(r.stdout)


def test_create_writes_sorted_lines_without_values(repo: Path):
    r = runner.invoke(app, ["baseline", "create", "data"])
    assert r.exit_code == 0, r.output
    path = repo / ".dataclass-baseline.json"
    text = path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for value in PLANTED.values():
        assert value not in text
    assert '"line"' not in text and "excerpt" not in text
    lines = [ln.strip().rstrip(",") for ln in text.splitlines() if ln.strip().startswith('{"')]
    assert len(lines) == 2
    entries = [json.loads(ln) for ln in lines]
    assert [(e["path"], e["rule"]) for e in entries] == sorted((e["path"], e["rule"])
                                                               for e in entries)
    assert {e["type"] for e in entries} == {"US_SSN", "EMAIL"}
    assert all(e["path"] == "data/people.txt" for e in entries)
    assert all(e["value_hash"].startswith("hmac-sha256:") for e in entries)
    assert json.loads(text)["schema"] == "dataclass-scan/baseline/v1"


def test_scan_with_baseline_reports_only_new_findings(repo: Path):
    assert runner.invoke(app, ["baseline", "create", "data", "-o", "bl.json"]).exit_code == 0
    code, rep = scan_json("data", "--baseline", "bl.json")
    assert code == 0
    assert rep["summary"]["suppressed"] == 2 and rep["summary"]["findings"] == 0
    people = next(f for f in rep["files"] if f["path"].endswith("people.txt"))
    assert people["label"] == "Public" and people["verdict"] == "allow"

    # Edits elsewhere (lines inserted above) do not invalidate the baseline ...
    p = repo / "data" / "people.txt"
    p.write_text("Intro line\n\n" + p.read_text())
    code, rep = scan_json("data", "--baseline", "bl.json")
    assert code == 0 and rep["summary"]["suppressed"] == 2
    # ... but a new value is reported, and blocks.
    p.write_text(p.read_text() + f"Second SSN: {OTHER_SSN}\n")
    code, rep = scan_json("data", "--baseline", "bl.json")
    assert code == 1
    people = next(f for f in rep["files"] if f["path"].endswith("people.txt"))
    assert [x["location"]["line"] for x in people["findings"]] == [5]
    assert rep["summary"]["suppressed"] == 2
    # The console says how many were suppressed.
    r = runner.invoke(app, ["scan", "data", "--baseline", "bl.json", "-q"])
    assert "2 known findings suppressed by the baseline" in r.stdout


def test_baseline_matches_from_another_folder(repo: Path, monkeypatch: pytest.MonkeyPatch):
    assert runner.invoke(app, ["baseline", "create", "data"]).exit_code == 0
    monkeypatch.chdir(repo / "data")
    code, rep = scan_json(".", "--baseline", "../.dataclass-baseline.json")
    assert code == 0 and rep["summary"]["suppressed"] == 2
    code, rep = scan_json(str(repo / "data"), "--baseline", str(repo / ".dataclass-baseline.json"))
    assert code == 0 and rep["summary"]["suppressed"] == 2


def test_the_baseline_in_use_is_not_scanned_as_data(repo: Path):
    runner.invoke(app, ["baseline", "create", "data"])
    code, rep = scan_json(".", "--baseline", ".dataclass-baseline.json")
    own = next(f for f in rep["files"] if f["path"].endswith(".dataclass-baseline.json"))
    assert own["status"] == "skipped" and own["reasons"] == ["the baseline in use"]
    assert code == 0


def test_same_value_in_another_file_is_new(repo: Path):
    runner.invoke(app, ["baseline", "create", "data"])
    (repo / "data" / "copy.txt").write_text(f"SSN: {PLANTED['US_SSN']}\n")
    code, rep = scan_json("data", "--baseline", ".dataclass-baseline.json")
    assert code == 1
    flagged = [f["path"] for f in rep["files"] if f["findings"]]
    assert flagged == ["data/copy.txt"]


def test_expired_entries_no_longer_suppress(repo: Path):
    r = runner.invoke(app, ["baseline", "create", "data", "--expires", "2001-01-31"])
    assert r.exit_code == 0, r.output
    assert '"expires": "2001-01-31"' in (repo / ".dataclass-baseline.json").read_text()
    code, rep = scan_json("data", "--baseline", ".dataclass-baseline.json")
    assert code == 1 and "suppressed" not in rep["summary"]


def test_baseline_from_another_installation_is_an_error(repo: Path):
    path = repo / "bl.json"
    text = new_baseline([Entry("data/people.txt", "us.ssn", "hmac-sha256:00")]).dumps()
    path.write_text(text.replace('"key_id": "hmac-sha256:', '"key_id": "hmac-sha256:ff'))
    r = runner.invoke(app, ["scan", "data", "--baseline", "bl.json"])
    assert r.exit_code == 2 and "another installation secret" in r.output


def test_missing_or_bad_baseline_is_usage_error(repo: Path):
    r = runner.invoke(app, ["scan", "data", "--baseline", "nope.json"])
    assert r.exit_code == 2 and "baseline not found" in r.output
    (repo / "bad.json").write_text("{}")
    r = runner.invoke(app, ["scan", "data", "--baseline", "bad.json"])
    assert r.exit_code == 2 and "not a dataclass-scan baseline" in r.output


def test_recreate_keeps_decisions_for_findings_still_present(repo: Path):
    runner.invoke(app, ["baseline", "create", "data"])
    path = repo / ".dataclass-baseline.json"
    bl = load_baseline(path)
    ssn = next(e for e in bl.entries if e.type == "US_SSN")
    import dataclasses

    decided = dataclasses.replace(ssn, decision=Decision.MUST_FIX, reviewer="ana",
                                  reason="real", decided="2026-01-01T00:00:00+00:00")
    bl.with_entries([decided]).save(path)
    r = runner.invoke(app, ["baseline", "create", "data"])
    assert "1 decisions kept" in r.output
    again = {e.type: e for e in load_baseline(path).entries}
    assert again["US_SSN"].decision is Decision.MUST_FIX and again["US_SSN"].reviewer == "ana"
    assert again["EMAIL"].decision is None


def test_norm_path_and_expiry(tmp_path: Path):
    assert norm_path(str(tmp_path / "a" / "b.txt"), base=tmp_path) == "a/b.txt"
    assert norm_path("./a/../a/b.zip!x/y.txt") == "a/b.zip!x/y.txt"
    assert norm_path(str(tmp_path / "a" / "b.txt"), base=tmp_path / "c") == \
        (tmp_path / "a" / "b.txt").as_posix()
    import datetime as dt

    today = dt.date(2026, 1, 1)
    assert parse_expiry("90d", today) == "2026-04-01"
    assert parse_expiry("2w", today) == "2026-01-15"
    assert parse_expiry("2027-03-31") == "2027-03-31"
    with pytest.raises(Exception, match="invalid expiry"):
        parse_expiry("soon")
