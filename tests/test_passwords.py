from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from fixtures.builder import write_docx
from fixtures.formats import SSN, encrypt_ooxml, pdf_bytes, write_aes_zip

PASSWORD = "Tr0ub4dor&3-fixture"


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("pw")
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(pdf_bytes([[f"SSN {SSN}"]], user_password=PASSWORD))
    plain = tmp_path / "plain.docx"
    write_docx(plain, ["intro", f"SSN {SSN}"])
    encrypt_ooxml(plain, folder / "contract.docx", PASSWORD)
    write_aes_zip(folder / "bundle.zip", {"ssn.txt": f"SSN {SSN}\n".encode()}, PASSWORD)
    return folder


def scan_json(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, ["scan", *args, "-f", "json"])
    return result.exit_code, json.loads(result.stdout), result.stdout + (result.stderr or "")


def test_locked_files_are_encrypted_without_passwords(locked: Path):
    folder = locked
    code, report, _ = scan_json(str(folder))
    status = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert status == {"report.pdf": "encrypted", "contract.docx": "encrypted",
                      "bundle.zip": "scanned", "bundle.zip!ssn.txt": "encrypted"}
    assert code == 3


def test_password_file_opens_pdf_office_and_zip(locked: Path, tmp_path: Path):
    folder = locked
    pw = tmp_path / "passwords.txt"
    pw.write_text(f"wrong-one\n\n{PASSWORD}\n")
    code, report, output = scan_json(str(folder), "--password-file", str(pw))
    files = {Path(f["path"]).name: f for f in report["files"]}
    for name in ("report.pdf", "contract.docx", "bundle.zip!ssn.txt"):
        assert files[name]["status"] == "scanned", (name, files[name])
        assert [x["type"] for x in files[name]["findings"]] == ["US_SSN"], name
    assert files["contract.docx"]["findings"][0]["location"] == {"paragraph": 2}
    assert files["contract.docx"]["format"] == "office-encrypted"
    assert code == 1
    assert PASSWORD not in output


def test_missing_password_file_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--password-file",
                                      str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
