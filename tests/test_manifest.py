"""Repository manifest and `scan --require-classification`: a manifest that passes, one
that fails with the right message, embedded labels that cover a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.classify.gate import Manifest
from dataclass_scan.cli import app
from fixtures.builder import PLANTED, write_docx
from fixtures.mip import add_mip_label

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text(
        f"name,ssn\nJane,{PLANTED['US_SSN']}\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "contact.md").write_text(f"Write to {PLANTED['EMAIL']}\n")
    (tmp_path / "docs" / "intro.md").write_text("Welcome to the project.\n")
    return tmp_path


def gate(*extra: str):
    return runner.invoke(app, ["scan", ".", "-q", "--require-classification",
                               "--fail-on", "never", *extra])


def test_unclassified_sensitive_files_fail_with_the_lines_to_add(repo: Path):
    r = gate()
    assert r.exit_code == 1, r.output
    assert "unclassified sensitive files (2)" in r.output
    assert ('data/customers.csv: Restricted content, no declared label; add under '
            '[manifest]: "data/customers.csv" = "Restricted"') in r.output
    assert 'docs/contact.md: Internal content' in r.output
    assert "intro.md" not in r.output  # Public content needs no declaration
    tail = r.output.split("to declare them, add to .dataclass-scan.toml:\n", 1)[1]
    assert tail.splitlines()[:3] == ["[manifest]", '"data/customers.csv" = "Restricted"',
                                     '"docs/contact.md" = "Internal"']
    assert PLANTED["US_SSN"] not in r.output


def test_manifest_that_covers_everything_passes(repo: Path):
    (repo / ".dataclass-scan.toml").write_text(
        '[manifest]\n"**" = "Internal"\n"data/**" = "Restricted"\n')
    r = gate()
    assert r.exit_code == 0, r.output
    assert "unclassified" not in r.output


def test_file_above_its_declared_label_fails(repo: Path):
    (repo / ".dataclass-scan.toml").write_text(
        '[manifest]\n"data/*.csv" = "Confidential"\n"docs/" = "Internal"\n')
    r = gate()
    assert r.exit_code == 1, r.output
    assert "unclassified sensitive files (1)" in r.output
    assert ("data/customers.csv: Restricted content above its declared label Confidential; "
            'remove the data, or declare it under [manifest]: "data/customers.csv" = '
            '"Restricted"') in r.output


def test_embedded_label_covers_a_file_and_beats_the_manifest(repo: Path):
    doc = repo / "docs" / "memo.docx"
    write_docx(doc, [f"Card {PLANTED['CREDIT_CARD']}"])
    add_mip_label(doc, "3c4f1a2b-5d6e-4f70-8a9b-0c1d2e3f4a5b", "Highly Confidential")
    (repo / ".dataclass-scan.toml").write_text(
        '[manifest]\n"docs/**" = "Internal"\n"data/**" = "Restricted"\n')
    assert gate().exit_code == 0


def test_manifest_in_pyproject_and_bad_label(repo: Path):
    (repo / "pyproject.toml").write_text('[tool.dataclass-scan.manifest]\n"x/**" = "Public"\n')
    r = gate()
    assert r.exit_code == 1 and "[tool.dataclass-scan.manifest]" in r.output
    (repo / ".dataclass-scan.toml").write_text('[manifest]\n"data/**" = "Secretish"\n')
    r = gate()
    assert r.exit_code == 2 and "'Secretish' is not one of" in r.output


def test_manifest_last_match_wins(tmp_path: Path):
    m = Manifest(entries=(("**", "Internal"), ("public/", "Public"), ("*.key", "Restricted")),
                 base=str(tmp_path))
    assert m.label_for(str(tmp_path / "a" / "b.txt")) == "Internal"
    assert m.label_for(str(tmp_path / "public" / "x.md")) == "Public"
    assert m.label_for(str(tmp_path / "public" / "x.key")) == "Restricted"
    assert m.label_for(str(tmp_path / "arch.zip") + "!inner/a.txt") == "Internal"
    assert m.label_for("/elsewhere/file.txt") is None
