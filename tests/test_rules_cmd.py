"""`dataclass-scan rules list|show|test|lint` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.detect.lint import backtracking_risks

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_rules_test_passes_over_builtin_packs() -> None:
    res = invoke("rules", "test")
    assert res.exit_code == 0, res.output
    assert " 0 failure(s)" in res.output


def test_rules_lint_is_clean_on_builtin_packs() -> None:
    res = invoke("rules", "lint", "--strict")
    assert res.exit_code == 0, res.output


def test_rules_test_reports_every_failure(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yml"
    pack.write_text(
        "pack: mine\nrules:\n"
        "  - id: ticket\n    type: TICKET\n    category: custom\n"
        "    patterns: ['\\bT-\\d{4}\\b']\n"
        "    examples:\n      match: ['T-1234', 'T-12']\n      no_match: ['T-9999', 'x']\n"
        "  - id: other\n    type: OTHER\n    category: custom\n    patterns: ['zzz']\n"
        "    examples:\n      match: ['aaa']\n")
    res = invoke("rules", "test", str(pack))
    assert res.exit_code == 1, res.output
    fails = [line for line in res.output.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 3, res.output
    assert any("'T-12'" in f and "got none" in f for f in fails)
    assert any("'T-9999'" in f and "expected no finding" in f for f in fails)
    assert any("other" in f for f in fails)
    data = json.loads(invoke("rules", "test", str(pack), "--format", "json").output)
    assert data["examples"] == 5 and len(data["failures"]) == 3


def test_rules_lint_finds_backtracking_duplicates_and_schema_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "pack: a\nrules:\n  - id: dup\n    type: A\n    category: custom\n"
        "    patterns: ['(\\w+\\s?)+$']\n"
        "    examples: {match: ['ab c'], no_match: ['!']}\n")
    (tmp_path / "b.yml").write_text(
        "pack: b\nrules:\n  - id: dup\n    type: B\n    category: custom\n    patterns: [b]\n")
    (tmp_path / "c.yml").write_text("pack: c\nrules:\n  - id: c\n    type: C\n    categry: x\n")
    res = invoke("rules", "lint", str(tmp_path))
    assert res.exit_code == 1, res.output
    out = res.output
    assert "nested quantifier" in out and "backtrack catastrophically" in out
    assert "duplicate rule id" in out
    assert "c.yml:5" in out and "unknown key 'categry'" in out
    assert "no `match` examples" in out  # b has no examples: a warning


def test_static_backtracking_check() -> None:
    assert backtracking_risks(r"(a+)+$")
    assert backtracking_risks(r"(a|aa)*b")
    assert backtracking_risks(r"(?:x\d*)+y")
    assert not backtracking_risks(r"(?:[ -]?\d{4}){3}")
    assert not backtracking_risks(r"(?>a+)+")
    assert not backtracking_risks(r"(?:[A-Z0-9]++ )*")
    assert not backtracking_risks(r"\((\d+)\)*")


def test_rules_list_json_and_table() -> None:
    res = invoke("rules", "list", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and {"id", "type", "category", "pack"} <= set(rows[0])
    ids = {r["id"] for r in rows}
    assert {"email", "us.ssn", "credit-card", "iban", "aws.access-key"} <= ids
    table = invoke("rules", "list", "--category", "secret")
    assert "aws.access-key" in table.output and "us.ssn " not in table.output


def test_rules_show(tmp_path: Path) -> None:
    res = invoke("rules", "show", "us.ssn.bare")
    assert res.exit_code == 0, res.output
    assert "US_SSN" in res.output and "required: True" in res.output
    detail = json.loads(invoke("rules", "show", "us.ssn", "-f", "json").output)
    assert detail["validators"] == ["us_ssn"] and detail["examples"]["match"]
    missing = invoke("rules", "show", "no.such.rule")
    assert missing.exit_code == 2
    assert "no rule 'no.such.rule'" in missing.output


def test_rules_bad_file_is_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("pack: x\nrules:\n  - id: a\n    type: A\n    category: nope\n"
                   "    patterns: [x]\n")
    res = invoke("rules", "test", str(bad))
    assert res.exit_code == 2
    assert "bad.yml:5" in res.output


def test_rules_import_gitleaks_and_presidio(tmp_path: Path) -> None:
    gl = tmp_path / "gitleaks.toml"
    gl.write_text('[[rules]]\nid = "acme-api-token"\ndescription = "Acme API token"\n'
                  "regex = '''acme_[a-z0-9]{32}'''\nentropy = 3.5\n")
    out = tmp_path / "gl.yml"
    res = invoke("rules", "import", str(gl), "--from", "gitleaks", "-o", str(out))
    assert res.exit_code == 0, res.output
    from dataclass_scan.detect.engine import Engine
    from dataclass_scan.detect.rulepack import load_pack
    from dataclass_scan.model import Segment

    pack = load_pack(out)
    (rule,) = pack.rules
    assert (rule.id, rule.type, rule.category, rule.validators) == (
        "gitleaks.acme-api-token", "ACME_API_TOKEN", "secret", ("entropy",))
    hits = Engine([pack]).detect(Segment(text="key acme_3k9x0q7m2w8e5r1t6y4u0i9o8p7a6s5d")).findings
    assert [f.type for f in hits] == ["ACME_API_TOKEN"]
    pr = tmp_path / "presidio.yaml"
    pr.write_text("recognizers:\n  - name: Zip\n    supported_language: de\n"
                  "    supported_entity: ZIP\n    patterns:\n      - name: zip\n"
                  "        regex: '\\b\\d{5}\\b'\n        score: 0.4\n    context: [plz]\n")
    out2 = tmp_path / "pr.yml"
    res = invoke("rules", "import", str(pr), "--from", "presidio", "-o", str(out2))
    assert res.exit_code == 0, res.output
    (rule,) = load_pack(out2).rules
    assert rule.confidence.value == "medium" and dict(rule.context.keywords_by_lang) == {
        "de": ("plz",)}
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nid = 'x'\nregex = '(unclosed'\n")
    res = invoke("rules", "import", str(bad), "--from", "gitleaks", "-o", str(tmp_path / "b.yml"))
    assert res.exit_code == 2 and "bad pattern" in res.output
