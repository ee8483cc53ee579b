"""Declared classification: MIP labels from generated Office files, LabelInfo.xml, PDF
metadata, the msip_labels mail header, header/footer markings, label-encrypted files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.classify.declared import declared_label, declared_labels, msip_labels
from dataclass_scan.classify.labels import load_label_policy
from dataclass_scan.cli import app
from dataclass_scan.model import Item
from fixtures.builder import PLANTED, write_docx, write_xlsx
from fixtures.formats import write_pptx
from fixtures.mip import add_mip_label, encrypt_ooxml, labelled_eml, labelled_pdf

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")
GUID = "3c4f1a2b-5d6e-4f70-8a9b-0c1d2e3f4a5b"
POLICY = load_label_policy()


def scan_files(*paths: Path, extra: tuple[str, ...] = ()) -> dict[str, dict]:
    r = runner.invoke(app, ["scan", *map(str, paths), "-f", "json", *extra])
    assert r.exit_code in (0, 1, 3), r.output
    return {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}


def test_docx_mip_label_and_content_above_it(tmp_path: Path):
    doc = tmp_path / "memo.docx"
    write_docx(doc, ["Quarterly memo", f"Employee SSN {PLANTED['US_SSN']}"])
    add_mip_label(doc, GUID, "Confidential")
    f = scan_files(doc)["memo.docx"]
    assert f["declared_label"] == "Confidential" and f["label"] == "Restricted"
    assert "content is Restricted, above its declared label Confidential" in f["reasons"]
    # The MIP properties themselves are not scanned as content.
    assert all(x["type"] != "MARKING" for x in f["findings"])


@pytest.mark.parametrize(
    ("name", "declared"),
    [("General", "Internal"), ("Highly Confidential\\Finance", "Restricted"),
     ("Public", "Public")],
)
def test_xlsx_and_pptx_mip_names_map_onto_taxonomy(tmp_path: Path, name, declared):
    book = tmp_path / "book.xlsx"
    write_xlsx(book, {"Plan": [["Quarter", "Target"], ["Q1", 10]]})
    add_mip_label(book, GUID, name)
    deck = tmp_path / "deck.pptx"
    write_pptx(deck, title="Roadmap", body="Next steps", table=[["a", "b"]], notes="none")
    add_mip_label(deck, GUID, name)
    files = scan_files(book, deck)
    for n in ("book.xlsx", "deck.pptx"):
        assert files[n]["declared_label"] == declared, files[n]
        assert files[n]["label"] == "Public"
        assert not any("above its declared" in r for r in files[n]["reasons"])


def test_disabled_label_declares_nothing(tmp_path: Path):
    doc = tmp_path / "memo.docx"
    write_docx(doc, ["hello"])
    add_mip_label(doc, GUID, "Confidential", enabled=False)
    assert scan_files(doc)["memo.docx"]["declared_label"] is None


def test_label_info_guid_mapped_in_labels_file(tmp_path: Path):
    doc = tmp_path / "memo.docx"
    write_docx(doc, ["hello"])
    add_mip_label(doc, GUID, None, custom=False, label_info=True)
    f = scan_files(doc)["memo.docx"]
    assert f["declared_label"] is None
    assert any("does not map" in r and GUID in r for r in f["reasons"])
    labels = tmp_path / "labels.yml"
    text = Path(POLICY.path).read_text()
    labels.write_text(text.replace("declared_names:\n",
                                   f"declared_names:\n  {GUID}: Confidential\n"))
    f = scan_files(doc, extra=("--labels", str(labels)))["memo.docx"]
    assert f["declared_label"] == "Confidential"


def test_pdf_metadata_and_mail_header(tmp_path: Path):
    pdf = labelled_pdf(tmp_path / "q.pdf", ["Revenue up"], GUID, "Internal")
    eml = labelled_eml(tmp_path / "m.eml", f"card {PLANTED['CREDIT_CARD']}", GUID, "General")
    files = scan_files(pdf, eml)
    assert files["q.pdf"]["declared_label"] == "Internal"
    assert files["m.eml"]["declared_label"] == "Internal"
    assert files["m.eml"]["label"] == "Restricted"
    assert "content is Restricted, above its declared label Internal" in \
        files["m.eml"]["reasons"]


def test_header_marking_is_a_declared_label(tmp_path: Path):
    doc = tmp_path / "memo.docx"
    write_docx(doc, ["Plans for next year"], header="INTERNAL USE ONLY")
    f = scan_files(doc)["memo.docx"]
    assert f["declared_label"] == "Internal" and f["label"] == "Internal"
    # An embedded MIP label wins over the visible marking.
    add_mip_label(doc, GUID, "Confidential")
    assert scan_files(doc)["memo.docx"]["declared_label"] == "Confidential"


def test_label_encrypted_file_is_encrypted_not_clean(tmp_path: Path):
    doc = tmp_path / "plain.docx"
    write_docx(doc, [f"SSN {PLANTED['US_SSN']}"])
    add_mip_label(doc, GUID, "Highly Confidential")
    sealed = encrypt_ooxml(doc, tmp_path / "sealed.docx")
    doc.unlink()
    f = scan_files(sealed)["sealed.docx"]
    assert f["status"] == "encrypted" and f["verdict"] is None and f["label"] is None
    r = runner.invoke(app, ["check", str(tmp_path)])
    assert r.exit_code == 3 and "INCOMPLETE" in r.stdout
    r = runner.invoke(app, ["check", str(tmp_path), "--fail-closed"])
    assert r.exit_code == 1 and "sealed.docx" in r.stdout


def test_ooxml_read_directly_when_extractor_gave_no_metadata(tmp_path: Path):
    doc = tmp_path / "memo.docx"
    write_docx(doc, ["hello"])
    add_mip_label(doc, GUID, "Confidential", label_info=True)
    item = Item(path=str(doc), size=doc.stat().st_size, fs_path=str(doc))
    found = declared_labels(POLICY, "docx", {}, (), item)
    assert [(d.source, d.label, d.guid) for d in found] == [("mip", "Confidential", GUID)]
    assert declared_label(POLICY, "docx", {}, (), item) == ("Confidential", [])


def test_msip_keys_parse():
    props = {f"MSIP_Label_{GUID}_Name": "Secret", f"MSIP_Label_{GUID}_Enabled": "True",
             "/MSIP_Label_aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee_Enabled": "false",
             "Title": "x"}
    assert msip_labels(props) == [(GUID, "Secret")]
