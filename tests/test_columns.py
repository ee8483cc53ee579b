"""Column summaries: a table column mostly of one entity type becomes one entry."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.detect.columns import ColumnSummary, column_key, describe, summarize_findings
from dataclass_scan.model import Confidence, Finding, Location


def _f(etype: str, loc: Location, value: str = "v") -> Finding:
    return Finding(rule="r", type=etype, category="pii", confidence=Confidence.HIGH,
                   location=loc, excerpt="***", value_hash=f"h:{value}", value=value)


def test_column_keys() -> None:
    assert column_key(Location(sheet="Staff", cell="C12")) == "Staff!C"
    assert column_key(Location(line=4, cell="B4")) == "column B"
    assert column_key(Location(paragraph=2, cell="A3")) == "table 2:column A"
    assert column_key(Location(part="/customers/17/ssn")) == "/customers/*/ssn"
    assert column_key(Location(line=3, column=7)) is None


def test_mostly_one_type_column_is_summarised_once() -> None:
    col = [_f("US_SSN", Location(line=i, cell=f"C{i}"), str(i)) for i in range(2, 12)]
    other = [_f("EMAIL", Location(line=2, column=5))]
    out = summarize_findings(other + col)
    assert out[0] is other[0]
    (summary,) = out[1:]
    assert isinstance(summary, ColumnSummary)
    assert (summary.column, summary.type, summary.count, summary.distinct) == (
        "column C", "US_SSN", 10, 10)
    assert describe(summary) == "US_SSN x10 (10 distinct) in column C, rows 2-11"


def test_small_or_mixed_columns_stay_separate() -> None:
    few = [_f("US_SSN", Location(sheet="S", cell=f"C{i}")) for i in range(2, 5)]
    assert summarize_findings(few) == few
    mixed = [_f("US_SSN" if i % 2 else "PHONE", Location(sheet="S", cell=f"C{i}"))
             for i in range(2, 14)]
    assert summarize_findings(mixed) == mixed


def test_console_summarises_a_big_column(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},jane.doe{i}@acme-corp.com" for i in range(40))
    (tmp_path / "people.csv").write_text("id,email\n" + rows + "\n")
    res = CliRunner().invoke(app, ["scan", str(tmp_path), "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    for piece in ("EMAIL x40", "(40 distinct)", "rows 2-41"):
        assert piece in res.output, res.output
    assert res.output.count("@acme-corp.com") == 1  # one row, not forty
    assert "Top findings (40 in all)" in res.output
