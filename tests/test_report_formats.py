"""Every report format rendered from one canonical ScanResult and compared with its golden
file (DCS_UPDATE_GOLDENS=1 python -m pytest tests/test_report_formats.py rewrites them),
plus the properties each format promises: masking, spreadsheet safety, valid XML."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from dataclass_scan import __version__
from dataclass_scan.cli import app
from dataclass_scan.report import formats
from tests.report_canon import RAW_VALUES, canonical_scan
from tests.reportutil import check_golden, render

runner = CliRunner()
# Console output depends on the terminal; its content is checked in test_cli.py.
GOLDEN_FORMATS = [f for f in formats() if f != "console"]
EXT = {"markdown": "md", "junit": "xml", "jsonl": "jsonl", "manifest": "manifest.json"}


@pytest.fixture(autouse=True)
def _no_pack_metadata(monkeypatch: pytest.MonkeyPatch):
    """Goldens must not change when someone edits a rule's description in rules/."""
    import dataclass_scan.report.sarif as sarif

    monkeypatch.setattr(sarif, "_rule_index", lambda: {})


def normalized(text: str) -> str:
    return text.replace(__version__, "VERSION")


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
def test_golden(fmt: str):
    check_golden(f"canonical.{EXT.get(fmt, fmt)}", normalized(render(canonical_scan(), fmt)))


def test_golden_csv_by_file():
    check_golden("canonical.by-file.csv", render(canonical_scan(), "csv", group_by="file"))


@pytest.mark.parametrize("fmt", formats())
def test_no_raw_value_without_show_values(fmt: str):
    text = render(canonical_scan(), fmt)
    for value in RAW_VALUES.values():
        assert value not in text, (fmt, value)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "junit"])
def test_show_values_puts_the_values_in(fmt: str):
    text = render(canonical_scan(), fmt, show_values=True)
    assert RAW_VALUES["US_SSN"] in text


def test_csv_is_spreadsheet_safe():
    text = render(canonical_scan(), "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body)
    assert len(body) == sum(max(len(f.findings), 1) for f in canonical_scan().files)
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    excerpts = [r[header.index("excerpt")] for r in body]
    assert "'-**-8145 in row 3" in excerpts
    assert any(e.startswith("'=HYPERLINK") for e in excerpts)
    paths = {r[0] for r in body}
    assert 'data/legal/contract, "final".docx' in paths


def test_csv_group_by_file_has_one_row_per_file():
    text = render(canonical_scan(), "csv", group_by="file")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["path"] for r in rows] == [f.path for f in canonical_scan().files]
    payroll = rows[0]
    assert payroll["findings"] == "3" and payroll["types"] == "IBAN x1; US_SSN x2"


def test_junit_is_well_formed_and_counts_match():
    root = ET.fromstring(render(canonical_scan(), "junit").encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.get("skipped")) == ("10", "3", "3", "1")
    assert len(suite.findall("testcase/failure")) == 3


def test_markdown_escapes_markup_and_mentions():
    text = render(canonical_scan(), "markdown")
    assert "&#64;acme-corp.com" in text and "@acme" not in text
    assert "<b>" not in text
    assert "\\!crm/contacts.json" in text  # `!` escaped: no image syntax from a path


def test_cli_formats_write_owner_only_files(example_dir: Path, tmp_path: Path):
    for fmt in GOLDEN_FORMATS:
        out = tmp_path / f"r.{fmt}"
        r = runner.invoke(app, ["scan", str(example_dir), "-f", fmt, "-o", str(out)])
        assert r.exit_code == 1, (fmt, r.output)
        assert out.stat().st_mode & 0o077 == 0
        assert out.stat().st_size > 0


def test_cli_csv_group_by(example_dir: Path):
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "csv", "--group-by", "file"])
    assert r.exit_code == 1, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout.removeprefix("\ufeff"))))
    assert {Path(row["path"]).name for row in rows} >= {"payroll.xlsx", "customers.csv"}


def test_report_command_renders_every_format(tmp_path: Path):
    saved = tmp_path / "saved.json"
    saved.write_text(render(canonical_scan(), "json"), encoding="utf-8")
    for fmt in formats():
        r = runner.invoke(app, ["report", str(saved), "-f", fmt])
        assert r.exit_code == 0, (fmt, r.output)
        assert r.stdout.strip()
    doc = json.loads(runner.invoke(app, ["report", str(saved), "-f", "sarif"]).stdout)
    assert doc["version"] == "2.1.0"


@pytest.mark.parametrize("fmt", formats())
def test_undecodable_file_name_does_not_break_a_report(fmt: str, tmp_path: Path):
    """A file name that is not UTF-8 arrives with lone surrogates (os.fsdecode)."""
    import dataclasses

    from dataclass_scan.report import ReportOptions, get_reporter
    from dataclass_scan.report.output import ReportSink

    scan = canonical_scan()
    odd = dataclasses.replace(scan.files[0], path="data/bad\udcff name.xlsx")
    scan = dataclasses.replace(scan, files=(odd, *scan.files[1:]))
    out = tmp_path / f"report.{fmt}"
    ReportSink(get_reporter(fmt), ReportOptions(color=False), out).render(scan)
    text = out.read_text(encoding="utf-8")
    assert "bad" in text
    if fmt == "json":
        assert json.loads(text)["files"][0]["path"] == "data/bad\udcff name.xlsx"


def test_baseline_suppressions_are_mentioned():
    import dataclasses

    scan = dataclasses.replace(canonical_scan(), suppressed=7)
    assert "7 suppressed by the baseline" in render(scan, "markdown")
    assert "7 known finding(s) were suppressed by the baseline" in render(scan, "html")


def test_quiet_console_into_a_pipe_prints_what_rich_prints():
    """-q into a pipe writes its lines without rich (start-up of pre-commit hooks); the
    rich path (forced with color) prints the same text, control characters dropped and
    brackets left as they are, for every status, suppressions and skip reasons."""
    import dataclasses

    from dataclass_scan.model import Status
    from dataclass_scan.report import ReportOptions, get_reporter

    scan = canonical_scan()
    odd = [dataclasses.replace(f, errors=(f"bell\a [bold]x[/bold] :smile: cr\r{i}",))
           if f.status not in (Status.SCANNED, Status.SKIPPED) else f
           for i, f in enumerate(scan.files)]
    many = [dataclasses.replace(odd[0], path=f"more/{i}.pdf", status=Status.ERROR,
                                errors=("broken",)) for i in range(25)]
    for case in (scan, dataclasses.replace(scan, files=tuple(odd), suppressed=3),
                 dataclasses.replace(scan, files=tuple(odd + many))):
        plain = render(case, "console", quiet=True)
        assert plain.startswith("Verdict for ") and "\a" not in plain and "\r" not in plain
        buf = io.StringIO()
        rep = get_reporter("console")(buf, ReportOptions(quiet=True, color=True))
        rep.end(case)
        assert plain == buf.getvalue()
    assert "[bold]x[/bold] :smile:" in plain and "... and " in plain
