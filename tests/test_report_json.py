"""The v1 JSON contract: its shipped JSON Schema, JSON Lines streaming, and the loader
that turns a saved report back into a ScanResult (`dataclass-scan report`)."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.model import ScanResult
from dataclass_scan.report import ReportOptions
from dataclass_scan.report.jsonl import JsonlReporter
from dataclass_scan.report.serialize import report_dict, scan_from_dict
from dataclass_scan.schemas import load_schema
from tests.report_canon import RAW_VALUES, canonical_scan
from tests.reportutil import render

runner = CliRunner()


def validate(doc: dict) -> None:
    jsonschema.Draft202012Validator(load_schema()).validate(doc)


def file_validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    return jsonschema.Draft202012Validator({**schema["$defs"]["file"], "$defs": schema["$defs"]})


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_canonical_report_validates_and_round_trips():
    scan = canonical_scan()
    doc = json.loads(render(scan, "json"))
    validate(doc)
    back = scan_from_dict(doc)
    assert isinstance(back, ScanResult)
    assert report_dict(back) == doc
    assert back.verdict == scan.verdict


@pytest.mark.parametrize("broken", [
    {"schema": "dataclass-scan/report/v1", "tool": {"name": "dataclass-scan", "version": "1"}},
    {"schema": "other/v9"},
])
def test_schema_rejects_incomplete_reports(broken):
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_schema_rejects_a_bad_finding():
    doc = report_dict(canonical_scan())
    doc["files"][0]["findings"][0]["confidence"] = "certain"
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_real_scan_report_validates(example_dir: Path):
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "json"])
    assert r.exit_code == 1, r.output
    validate(json.loads(r.stdout))


def test_jsonl_writes_each_file_when_it_arrives():
    scan = canonical_scan()
    buf = io.StringIO()
    rep = JsonlReporter(buf, ReportOptions())
    rep.begin()
    rep.file(scan.files[0])
    first = buf.getvalue().splitlines()
    assert len(first) == 1 and json.loads(first[0])["path"] == scan.files[0].path
    for f in scan.files[1:]:
        rep.file(f)
    rep.end(scan)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["record"] for x in lines] == ["file"] * len(scan.files) + ["summary"]
    validator = file_validator()
    for line in lines[:-1]:
        validator.validate({k: v for k, v in line.items() if k != "record"})
    assert lines[-1]["summary"]["verdict"] == "block"
    assert lines[-1]["schema"] == "dataclass-scan/report/v1"


def test_cli_jsonl_streams_through_the_progress_callback(example_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    """file() runs while the scan is still going: each line exists before the next file."""
    import dataclass_scan.api as api

    seen_lines: list[int] = []
    out = tmp_path / "scan.jsonl"
    real_scan = api.scan

    def spying_scan(paths, config, *, progress=None, **kw):  # type: ignore[no-untyped-def]
        def progress_and_look(res):  # type: ignore[no-untyped-def]
            progress(res)
            seen_lines.append(out.read_text(encoding="utf-8").count("\n"))
        return real_scan(paths, config, progress=progress_and_look, **kw)

    monkeypatch.setattr(api, "scan", spying_scan)
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "jsonl", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert seen_lines == list(range(1, len(seen_lines) + 1))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(seen_lines) + 1
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_report_command_rerenders_without_rescanning(tmp_path: Path):
    saved = tmp_path / "saved.json"
    saved.write_text(render(canonical_scan(), "json"), encoding="utf-8")
    r = runner.invoke(app, ["report", str(saved), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == len(canonical_scan().files) + 1
    out = tmp_path / "again.json"
    r = runner.invoke(app, ["report", str(saved), "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text()) == json.loads(saved.read_text())


def test_report_command_rejects_what_is_not_a_report(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else"}', encoding="utf-8")
    r = runner.invoke(app, ["report", str(bad), "-f", "json"])
    assert r.exit_code == 2 and "not a dataclass-scan/report/v1 report" in r.output
    bad.write_text("{not json", encoding="utf-8")
    r = runner.invoke(app, ["report", str(bad), "-f", "json"])
    assert r.exit_code == 2 and "not JSON" in r.output
    r = runner.invoke(app, ["report", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and "cannot read" in r.output


def test_report_command_keeps_raw_values_out_unless_asked(tmp_path: Path):
    saved = tmp_path / "raw.json"
    saved.write_text(render(canonical_scan(), "json", show_values=True), encoding="utf-8")
    assert RAW_VALUES["US_SSN"] in saved.read_text()
    r = runner.invoke(app, ["report", str(saved), "-f", "jsonl"])
    assert r.exit_code == 2 and "--show-values" in r.output
    r = runner.invoke(app, ["report", str(saved), "-f", "jsonl", "--show-values"])
    assert r.exit_code == 0 and RAW_VALUES["US_SSN"] in r.stdout


def test_report_command_reads_a_finished_jsonl_stream(tmp_path: Path):
    stream = tmp_path / "scan.jsonl"
    stream.write_text(render(canonical_scan(), "jsonl"), encoding="utf-8")
    r = runner.invoke(app, ["report", str(stream), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == json.loads(render(canonical_scan(), "json"))
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(stream.read_text().splitlines(keepends=True)[:3]), encoding="utf-8")
    r = runner.invoke(app, ["report", str(cut), "-f", "json"])
    assert r.exit_code == 2 and "did not finish" in r.output
