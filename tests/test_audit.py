"""Audit trail: hash chain, owner-only file, every command appends, tampering detected."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.store.audit import GENESIS, append, default_audit_path, verify
from fixtures.builder import PLANTED

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")


def make_log(path: Path, n: int = 4) -> None:
    for i in range(n):
        append(path, "scan", {"roots": [f"r{i}"], "verdict": "allow", "exit_code": 0})


def test_chain_links_entries_and_file_is_private(tmp_path: Path):
    log = tmp_path / "sub" / "audit.jsonl"
    make_log(log, 3)
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS
    assert entries[1]["prev"] == entries[0]["hash"] and entries[2]["prev"] == entries[1]["hash"]
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert verify(log).ok and verify(log).entries == 3


def _rewrite(log: Path, lines: list[str]) -> None:
    log.write_text("".join(x + "\n" for x in lines))


@pytest.mark.parametrize(
    ("tamper", "line", "words"),
    [
        ("edit", 2, "entry altered"),
        ("delete", 2, "removed, inserted or reordered"),
        ("swap", 2, "removed, inserted or reordered"),
        ("garbage", 3, "damaged"),
        ("rehash", 2, "removed, inserted or reordered"),
    ],
)
def test_verify_names_the_first_bad_entry(tmp_path: Path, tamper, line, words):
    log = tmp_path / "audit.jsonl"
    make_log(log, 4)
    lines = log.read_text().splitlines()
    if tamper == "edit":
        e = json.loads(lines[1])
        e["data"]["verdict"] = "block"
        lines[1] = json.dumps(e)
    elif tamper == "delete":
        del lines[1]
    elif tamper == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    elif tamper == "garbage":
        lines[2] = lines[2][:-5]
    elif tamper == "rehash":  # an edit that also recomputes the entry's own hash
        from dataclass_scan.store.audit import entry_hash

        e = json.loads(lines[1])
        e["data"]["verdict"] = "block"
        e["prev"] = "sha256:" + "1" * 64
        e["hash"] = entry_hash(e)
        lines[1] = json.dumps(e)
    _rewrite(log, lines)
    r = runner.invoke(app, ["audit", "verify", str(log)])
    assert r.exit_code == 1, r.output
    assert f"line {line}" in r.output and words in r.output


def test_scan_check_and_baseline_append_without_values(tmp_path: Path, example_dir: Path):
    log = tmp_path / "audit.jsonl"
    assert runner.invoke(app, ["scan", str(example_dir), "-q", "--audit-log", str(log)]
                         ).exit_code == 1
    assert runner.invoke(app, ["check", str(example_dir), "--for", "internal-llm",
                               "--audit-log", str(log)]).exit_code == 1
    bl = tmp_path / "bl.json"
    assert runner.invoke(app, ["baseline", "create", str(example_dir), "-o", str(bl),
                               "--audit-log", str(log)]).exit_code == 0
    text = log.read_text()
    for value in PLANTED.values():
        if value != "CONFIDENTIAL":
            assert value not in text
    entries = [json.loads(x) for x in text.splitlines()]
    assert [e["event"] for e in entries] == ["scan", "check", "baseline"]
    assert entries[0]["data"]["verdict"] == "block" and entries[0]["data"]["exit_code"] == 1
    assert entries[1]["data"]["destination"] == "internal-llm"
    assert any(f["path"].endswith("payroll.xlsx") for f in entries[0]["data"]["flagged"])
    r = runner.invoke(app, ["audit", "verify", str(log)])
    assert r.exit_code == 0 and "3 entries, chain intact" in r.output
    r = runner.invoke(app, ["audit", "show", str(log)])
    assert r.exit_code == 0
    out = r.stdout.splitlines()
    assert len(out) == 3 and "scan" in out[0] and "BLOCK" in out[0] and "exit 1" in out[0]
    assert "baseline create" in out[2]
    r = runner.invoke(app, ["audit", "show", str(log), "--last", "1", "--json"])
    assert json.loads(r.stdout)["event"] == "baseline"


def test_default_location_is_under_the_installation_home(tmp_path: Path):
    (tmp_path / "a.txt").write_text("hello\n")
    before = default_audit_path().read_text().count("\n") if default_audit_path().exists() else 0
    assert runner.invoke(app, ["scan", str(tmp_path), "-q"]).exit_code == 0
    assert default_audit_path().parent == Path(os.environ["DATACLASS_SCAN_HOME"])
    assert default_audit_path().read_text().count("\n") == before + 1
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_unwritable_explicit_log_is_an_error(tmp_path: Path):
    (tmp_path / "a.txt").write_text("hello\n")
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = runner.invoke(app, ["scan", str(tmp_path / "a.txt"), "--audit-log",
                            str(blocker / "audit.jsonl")])
    assert r.exit_code == 2 and "audit log not written" in r.output
    r = runner.invoke(app, ["audit", "verify", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 2 and "not found" in r.output
