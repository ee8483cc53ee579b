"""Exact data match: `edm build` stores keyed hashes only; `scan --edm` reports records."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app

runner = CliRunner()


def test_edm_build_and_scan(tmp_path: Path) -> None:
    src = tmp_path / "customers.csv"
    src.write_text("name,email,account\nJane Doe,jane.doe@acme-corp.com,ACC-0042-7781\n"
                   "Omar Haddad,omar@globex.net,ACC-0099-1234\n")
    edm = tmp_path / "customers.edm"
    res = runner.invoke(app, ["edm", "build", str(src), "--columns", "email,account",
                              "--out", str(edm)])
    assert res.exit_code == 0, res.output
    raw = edm.read_text()
    for plain in ("jane", "acme", "ACC-0042", "0042", "Omar"):
        assert plain.lower() not in raw.lower()
    assert oct(edm.stat().st_mode & 0o777) == "0o600"
    data = tmp_path / "data"
    data.mkdir()
    (data / "ticket.txt").write_text("re ACC-0099-1234, not ACC-0099-1235; "
                                     "cc jane.doe@acme-corp.com\n")
    res = runner.invoke(app, ["scan", str(data), "--edm", str(edm), "-f", "json",
                              "--fail-on", "never", "--no-cache"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    found = {(x["type"], x["confidence"]) for f in doc["files"] for x in f["findings"]}
    assert ("EDM_MATCH", "high") in found and ("EMAIL", "high") in found
    assert sum(x["type"] == "EDM_MATCH" for f in doc["files"] for x in f["findings"]) == 1
    assert any(p.startswith("edm:") for p in doc["scan"]["rules"]["packs"])
    assert doc["files"][0]["label"] == "Restricted"


def test_edm_build_missing_column_is_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    src.write_text("a,b\n1,2\n")
    res = runner.invoke(app, ["edm", "build", str(src), "--columns", "ssn",
                              "--out", str(tmp_path / "x.edm")])
    assert res.exit_code == 2
    assert "no column(s) ssn" in res.output
