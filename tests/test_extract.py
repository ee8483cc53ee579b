from __future__ import annotations

from pathlib import Path

import pytest

from dataclass_scan.errors import BinaryFileError, EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext, get_extractor, sniff_format
from dataclass_scan.model import Item, Location
from fixtures.builder import write_docx, write_pdf, write_xlsx


def item_for(path: Path) -> Item:
    return Item(path=str(path), size=path.stat().st_size, fs_path=str(path))


def segments(path: Path):
    item = item_for(path)
    head = path.read_bytes()[:8192]
    fmt = sniff_format(item, head)
    return fmt, list(get_extractor(fmt)(item, ExtractContext(max_bytes=10**8)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252", "latin-1", "utf-8-sig"])
def test_text_in_common_encodings(tmp_path: Path, encoding: str):
    p = tmp_path / "t.txt"
    p.write_bytes("Grüße aus Köln - café\nline two\n".encode(encoding))
    fmt, segs = segments(p)
    assert fmt == "text"
    assert "Köln" in segs[0].text and segs[0].track_lines


def test_binary_file_is_refused(tmp_path: Path):
    p = tmp_path / "b.bin"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(BinaryFileError):
        segments(p)


def test_csv_cells_located_with_header_context(tmp_path: Path):
    p = tmp_path / "c.csv"
    p.write_text("name;ssn\nJane;536-22-8145\n", encoding="utf-8")
    fmt, segs = segments(p)
    assert fmt == "csv"
    ssn = [s for s in segs if s.text == "536-22-8145"][0]
    assert ssn.location == Location(line=2, cell="B2") and ssn.context == "ssn"


def test_json_pointer_locations(tmp_path: Path):
    p = tmp_path / "j.json"
    p.write_text('{"customers": [{"name": "Jane", "ssn": 536228145}]}', encoding="utf-8")
    fmt, segs = segments(p)
    assert fmt == "json"
    s = [s for s in segs if s.text == "536228145"][0]
    assert s.location == Location(part="/customers/0/ssn") and s.context == "ssn"


def test_invalid_json_is_an_extraction_error(tmp_path: Path):
    p = tmp_path / "j.json"
    p.write_text('{"a": ', encoding="utf-8")
    with pytest.raises(ExtractionError, match="invalid JSON"):
        segments(p)


def test_pdf_pages(tmp_path: Path):
    p = tmp_path / "d.pdf"
    write_pdf(p, [["first page"], ["second", "SSN 536-22-8145"]])
    fmt, segs = segments(p)
    assert fmt == "pdf"
    assert [s.location.page for s in segs] == [1, 2]
    assert "536-22-8145" in segs[1].text
    idx = segs[1].text.index("536")
    assert segs[1].locate(idx).line == 2


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path):
    p = tmp_path / "d.txt"
    write_pdf(p, [["hello pdf"]])
    fmt, segs = segments(p)
    assert fmt == "pdf" and "hello pdf" in segs[0].text


def test_corrupt_pdf_raises(tmp_path: Path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    with pytest.raises(ExtractionError):
        segments(p)


def test_docx_paragraphs_tables_and_header(tmp_path: Path):
    p = tmp_path / "d.docx"
    write_docx(p, ["hello", "mail a@b.co"], table=[["Field", "Value"], ["SSN", "536-22-8145"]],
               header="CONFIDENTIAL")
    fmt, segs = segments(p)
    assert fmt == "docx"
    by_text = {s.text: s for s in segs}
    assert by_text["mail a@b.co"].location == Location(paragraph=2)
    assert by_text["536-22-8145"].location == Location(part="table 1", cell="B2")
    assert "SSN" in by_text["536-22-8145"].context
    assert by_text["CONFIDENTIAL"].location == Location(part="header 1", paragraph=1)


def test_xlsx_every_sheet_with_coordinates(tmp_path: Path):
    p = tmp_path / "x.xlsx"
    write_xlsx(p, {"One": [["a"]], "Staff": [["name", "ssn"], ["Jane", "536-22-8145"]]})
    fmt, segs = segments(p)
    assert fmt == "xlsx"
    s = [s for s in segs if s.text == "536-22-8145"][0]
    assert s.location == Location(sheet="Staff", cell="B2") and s.context == "ssn"
    assert {x.location.sheet for x in segs if x.location.sheet} == {"One", "Staff"}
    assert {x.location.part for x in segs if not x.location.sheet} == {"property creator"}


def test_xlsx_saved_as_zip_is_read_as_xlsx(tmp_path: Path):
    p = tmp_path / "x.zip"
    write_xlsx(p, {"S": [["v"]]})
    assert segments(p)[0] == "xlsx"


def test_ole_container_named_docx_is_encrypted(tmp_path: Path):
    p = tmp_path / "locked.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(EncryptedError):
        segments(p)
