from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app
from fixtures.formats import EMAIL, SSN, pdf_bytes, write_zip, zip_bytes

runner = CliRunner()


def test_extract_text_shows_locations_through_containers(tmp_path: Path):
    pdf = pdf_bytes([["intro"], ["contact", f"SSN {SSN}"]])
    p = write_zip(tmp_path / "pack.zip", {"in.zip": zip_bytes({"c.pdf": pdf}),
                                          "notes.txt": f"hi\nmail {EMAIL}\n".encode()})
    result = runner.invoke(app, ["extract", str(p)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"== {p}!in.zip!c.pdf [pdf, scanned]" in lines
    assert f"{p}!in.zip!c.pdf:page 2:line 1: " in result.stdout
    assert f"SSN {SSN}" in result.stdout
    assert f"{p}!notes.txt:line 1: " in result.stdout


def test_extract_json_with_metadata(tmp_path: Path):
    p = tmp_path / "doc.pdf"
    p.write_bytes(pdf_bytes([[f"mail {EMAIL}"]], info={"Title": "Plan"}))
    q = tmp_path / "bad.pdf"
    q.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    result = runner.invoke(app, ["extract", str(p), str(q), "--format", "json", "--metadata"])
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    first, second = doc["files"]
    assert first["metadata"]["pdf_info"]["Title"] == "Plan"
    assert {"location": {"page": 1, "line": 1}, "text": f"mail {EMAIL}"} in first["segments"]
    assert second["status"] == "error" and second["errors"]
