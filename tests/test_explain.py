"""`dataclass-scan explain`: every decision, masked values, location filter."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app

runner = CliRunner()


def _file(tmp_path: Path) -> Path:
    p = tmp_path / "x.txt"
    p.write_text("Contact: jane.doe@acme-corp.com\n"
                 "card 4111 1111 1111 1111 and 4539 1488 0343 6467\n"
                 "SSN 536-22-8145 # dataclass-scan: ignore\n"
                 "ref 536-22-8146\n"
                 "card 4539 1488 0343 6468\n")
    return p


def test_explain_traces_allowlist_marker_context_and_validator(tmp_path: Path) -> None:
    p = _file(tmp_path)
    res = runner.invoke(app, ["explain", str(p), "--format", "json", "--all"])
    assert res.exit_code == 0, res.output
    (doc,) = json.loads(res.output)
    steps: dict[tuple[str, int], list[str]] = {}
    for d in doc["decisions"]:
        steps.setdefault((d["rule"], d["location"]["line"]), []).extend(
            s["step"] + ":" + s["outcome"] for s in d["steps"])
    assert "allowlist:drop" in steps[("credit-card", 2)]
    assert "ignore-marker:drop" in steps[("us.ssn", 3)]
    assert "validator:drop" in steps[("credit-card", 5)]
    kept = {(d["rule"], d["location"]["line"]) for d in doc["decisions"] if d["kept"]}
    assert {("email", 1), ("us.ssn", 4)} <= kept
    assert "536-22-8146" not in res.output and "***-**-8146" in res.output


def test_explain_one_location(tmp_path: Path) -> None:
    p = _file(tmp_path)
    res = runner.invoke(app, ["explain", f"{p}:4"])
    assert res.exit_code == 0, res.output
    assert "us.ssn (US_SSN)  ***-**-8146  -> REPORTED" in res.output
    assert "context word 'ssn'" in res.output
    assert "email" not in res.output
    assert "4111" not in res.output  # the line filter keeps line 4 only


def test_explain_missing_file_is_incomplete(tmp_path: Path) -> None:
    res = runner.invoke(app, ["explain", str(tmp_path / "nope.txt")])
    assert res.exit_code == 3
