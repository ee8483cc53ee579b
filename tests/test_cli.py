from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan import __version__
from dataclass_scan.cli import app
from fixtures.builder import EXAMPLE_EXPECTED, PLANTED, write_pdf

runner = CliRunner()


def invoke(*args: str, **kw):
    result = runner.invoke(app, list(args), **kw)
    return result


def scan_json(*args: str) -> tuple[int, dict]:
    r = invoke("scan", *args, "--format", "json")
    assert r.exit_code in (0, 1, 3), r.output
    return r.exit_code, json.loads(r.stdout)


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0 and __version__ in r.stdout


@pytest.mark.parametrize("cmd", [[], ["scan"]])
def test_help_on_every_command(cmd):
    r = invoke(*cmd, "--help")
    assert r.exit_code == 0 and "Usage" in r.stdout


def _names(cli_app) -> list[str]:  # type: ignore[no-untyped-def]
    from typer.main import get_command

    return sorted(get_command(cli_app).commands)  # type: ignore[attr-defined]


def test_one_command_builds_only_the_command_it_runs_with_the_same_help():
    from dataclass_scan.cli import one_command

    every = _names(app)
    assert {"scan", "check", "diff", "rules", "baseline", "audit", "edm"} <= set(every)
    for name in every:
        one = one_command(["dataclass-scan", name, "--help"])
        assert _names(one) == [name]
        assert invoke(name, "--help").stdout == runner.invoke(one, [name, "--help"]).stdout
    assert _names(app) == every  # the module's app stays whole
    for argv in (["dataclass-scan"], ["dataclass-scan", "--help"],
                 ["dataclass-scan", "scna", "x"], ["dataclass-scan", "--no-color", "scan"]):
        assert one_command(argv) is app
    r = runner.invoke(one_command(["dataclass-scan", "rules", "list"]), ["rules", "list"])
    assert r.exit_code == 0 and r.stdout == invoke("rules", "list").stdout


def test_example_scan_finds_every_planted_type_at_right_places(example_dir: Path):
    code, rep = scan_json(str(example_dir))
    assert code == 1  # SSN, card and AWS key block the upload to public-ai
    assert rep["schema"] == "dataclass-scan/report/v1"
    files = {Path(f["path"]).name: f for f in rep["files"]}
    for name, types in EXAMPLE_EXPECTED.items():
        assert {x["type"] for x in files[name]["findings"]} == set(types), name
    assert files["release-notes.md"]["label"] == "Public"
    assert files["release-notes.md"]["verdict"] == "allow"
    assert files["payroll.xlsx"]["label"] == "Restricted"
    ssn = [x for x in files["payroll.xlsx"]["findings"] if x["type"] == "US_SSN"][0]
    assert ssn["location"] == {"sheet": "Staff", "cell": "B2"}
    card = [x for x in files["statement.pdf"]["findings"] if x["type"] == "CREDIT_CARD"][0]
    assert card["location"] == {"page": 2, "line": 1, "column": 15}
    assert rep["summary"]["verdict"] == "block"
    assert rep["summary"]["files"] == len(EXAMPLE_EXPECTED)


def test_values_are_masked_unless_show_values(example_dir: Path):
    r = invoke("scan", str(example_dir), "--format", "json")
    for kind, value in PLANTED.items():
        if kind != "MARKING":
            assert value not in r.stdout, kind
    assert '"value"' not in r.stdout
    r = invoke("scan", str(example_dir), "--format", "json", "--show-values")
    assert PLANTED["US_SSN"] in r.stdout and '"value"' in r.stdout


def test_console_output_masks_and_shows_locations(example_dir: Path):
    r = invoke("scan", str(example_dir))
    assert r.exit_code == 1
    assert "BLOCK" in r.stdout and "payroll.xlsx!Staff!" in r.stdout
    for kind, value in PLANTED.items():
        if kind != "MARKING":
            assert value not in r.stdout, kind


def test_exit_codes(tmp_path: Path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text("nothing to see here\n")
    assert invoke("scan", str(clean)).exit_code == 0
    (clean / "b.txt").write_text("contact jane.doe@acme-corp.com\n")
    assert invoke("scan", str(clean)).exit_code == 0  # review does not fail by default
    assert invoke("scan", str(clean), "--fail-on", "review").exit_code == 1
    assert invoke("scan", str(clean), "--for", "enterprise-ai", "--fail-on",
                  "review").exit_code == 0
    assert invoke("scan", str(clean), "--for", "nowhere").exit_code == 2
    assert invoke("scan", str(clean), "--format", "nope").exit_code == 2
    assert invoke("scan", str(clean), "--max-file-size", "lots").exit_code == 2
    assert invoke("scan").exit_code == 2


def test_corrupt_pdf_is_reported_and_scan_goes_on(tmp_path: Path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<< garbage\n")
    write_pdf(d / "good.pdf", [["nothing sensitive"]])
    (d / "notes.txt").write_text("ip 203.0.113.42 at the office\n")
    code, rep = scan_json(str(d))
    assert code == 3
    files = {Path(f["path"]).name: f for f in rep["files"]}
    assert files["broken.pdf"]["status"] == "error" and files["broken.pdf"]["errors"]
    assert files["good.pdf"]["status"] == "scanned"
    assert files["notes.txt"]["status"] == "scanned"
    # Something blocked wins over incomplete.
    (d / "key.txt").write_text("AKIA2OGYBAH6STMJ5Q7X\n")
    assert invoke("scan", str(d)).exit_code == 1


def test_binary_file_skipped_with_reason(tmp_path: Path):
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 10)
    code, rep = scan_json(str(tmp_path))
    assert code == 0
    (f,) = rep["files"]
    assert f["status"] == "skipped" and "binary" in f["reasons"][0]


def test_output_file_is_owner_only(example_dir: Path, tmp_path: Path):
    out = tmp_path / "r.json"
    r = invoke("scan", str(example_dir), "-f", "json", "-o", str(out))
    assert r.exit_code == 1
    data = json.loads(out.read_text())
    assert data["summary"]["files"] == len(EXAMPLE_EXPECTED)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_bad_rule_file_is_usage_error_naming_file_and_line(tmp_path: Path):
    rules = tmp_path / "r.yml"
    rules.write_text("pack: x\nrules:\n  - id: a\n    type: A\n    category: pii\n"
                     "    patterns: ['(']\n")
    r = invoke("scan", str(tmp_path), "--rules", str(rules))
    assert r.exit_code == 2
    assert f"{rules}:6" in r.stderr


def test_custom_rule_pack_is_used(tmp_path: Path):
    rules = tmp_path / "r.yml"
    rules.write_text("pack: acme\nrules:\n  - id: acme.project\n    type: PROJECT_CODE\n"
                     "    category: custom\n    patterns: ['PRJ-\\d{4}']\n")
    data = tmp_path / "d"
    data.mkdir()
    (data / "x.txt").write_text("see PRJ-1234\n")
    code, rep = scan_json(str(data), "--rules", str(rules), "--no-builtin-rules")
    assert rep["files"][0]["findings"][0]["type"] == "PROJECT_CODE"
    assert rep["scan"]["rules"]["packs"] == ["acme"]


def test_config_file_in_current_folder(tmp_path: Path, monkeypatch):
    (tmp_path / ".dataclass-scan.toml").write_text('exclude = ["skip.txt"]\n'
                                                   'destination = "enterprise-ai"\n')
    (tmp_path / "skip.txt").write_text("AKIA2OGYBAH6STMJ5Q7X\n")
    monkeypatch.chdir(tmp_path)
    code, rep = scan_json(".")
    assert rep["scan"]["destination"] == "enterprise-ai"
    skip = [f for f in rep["files"] if f["path"].endswith("skip.txt")][0]
    assert skip["status"] == "skipped"


def test_no_color_respected(example_dir: Path):
    r = invoke("scan", str(example_dir), env={"NO_COLOR": "1"}, color=True)
    assert "\x1b[" not in r.stdout


def test_quiet_mode(example_dir: Path):
    r = invoke("scan", str(example_dir), "-q")
    assert r.stdout.strip().splitlines()[0] == "Verdict for public-ai: BLOCK"
    assert "Top findings" not in r.stdout
