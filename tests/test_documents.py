"""Each document format: a planted value found at the right location."""

from __future__ import annotations

from pathlib import Path

from dataclass_scan.api import build_context
from dataclass_scan.config import Config
from dataclass_scan.extract import ExtractContext, get_extractor, sniff_format
from dataclass_scan.model import Item, Location, Status
from dataclass_scan.runner import process_item
from fixtures.formats import EMAIL, SSN


def extract(path: Path) -> tuple[str, list, ExtractContext]:
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    fmt = sniff_format(item, path.read_bytes()[:8192])
    ctx = ExtractContext(max_bytes=10**8)
    return fmt, list(get_extractor(fmt)(item, ctx)), ctx


def findings(path: Path, config: Config | None = None):
    ctx = build_context(config or Config())
    results = process_item(Item(path=str(path), size=path.stat().st_size,
                                fs_path=str(path)), ctx)
    return results[0], [f for r in results for f in r.findings]


def find(path: Path, entity: str, config: Config | None = None):
    result, hits = findings(path, config)
    assert result.status in (Status.SCANNED, Status.PARTIAL), result.errors
    matches = [f for f in hits if f.type == entity]
    assert matches, (entity, [f.type for f in hits], result.errors)
    return matches[0]


def test_html_visible_text_and_attributes(tmp_path: Path):
    p = tmp_path / "page.html"
    p.write_text("<html><head><style>.x{}</style><script>var ssn='000-00-0000'</script>"
                 "</head>\n<body>\n<p>Call us.</p>\n<p>Contact: <b>" + EMAIL + "</b></p>\n"
                 f'<img alt="SSN {SSN}">\n</body></html>\n')
    fmt, segs, _ = extract(p)
    assert fmt == "html"
    assert not any("000-00-0000" in s.text for s in segs)
    hit = find(p, "EMAIL")
    assert hit.location.line == 4 and hit.location.column == 16
    assert find(p, "US_SSN").location.line == 5


def test_xml_element_paths(tmp_path: Path):
    p = tmp_path / "people.xml"
    p.write_text(f"<?xml version='1.0'?>\n<people>\n <person id='1'><name>Al</name></person>\n"
                 f" <person id='2'>\n  <ssn>{SSN}</ssn>\n  <mail addr='{EMAIL}'/>\n"
                 " </person>\n</people>\n")
    hit = find(p, "US_SSN")
    assert hit.location == Location(line=5, column=8, part="/people/person[2]/ssn")
    assert find(p, "EMAIL").location.part == "/people/person[2]/mail/@addr"


def test_xml_entity_bomb_refused(tmp_path: Path):
    p = tmp_path / "bomb.xml"
    p.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
                 '<!ENTITY b "&a;&a;&a;">]><l>&b;</l>')
    result, _ = findings(p)
    assert result.status is Status.ERROR and "entities" in result.errors[0]


def test_rtf_text(tmp_path: Path):
    p = tmp_path / "letter.rtf"
    p.write_text("{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard\n"
                 "Dear Jane,\\par\nyour SSN is " + SSN + ".\\par\n}")
    fmt, _, _ = extract(p)
    assert fmt == "rtf"
    assert find(p, "US_SSN").location.line == 2


def test_vcard_properties_with_context(tmp_path: Path):
    p = tmp_path / "contacts.vcf"
    p.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Al Smith\r\nEND:VCARD\r\n"
                 "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\n"
                 f"EMAIL;TYPE=work:{EMAIL[:8]}\r\n {EMAIL[8:]}\r\nTEL:+44 20 7946 0958\r\n"
                 "END:VCARD\r\n")
    hit = find(p, "EMAIL")
    assert hit.location == Location(line=8, part="card 2")
    assert find(p, "PHONE").location.line == 10


def test_icalendar_attendees(tmp_path: Path):
    p = tmp_path / "meeting.ics"
    p.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Review\r\n"
                 f"ATTENDEE;CN=Jane Doe:mailto:{EMAIL}\r\n"
                 f"DESCRIPTION:Bring SSN {SSN}\\nthanks\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert find(p, "EMAIL").location == Location(line=5, part="VEVENT 1")
    assert find(p, "US_SSN").location.part == "VEVENT 1"


def test_markdown_is_text_with_lines(tmp_path: Path):
    p = tmp_path / "notes.md"
    p.write_text(f"# Notes\n\n- mail {EMAIL}\n")
    fmt, _, _ = extract(p)
    assert fmt == "markdown"
    assert find(p, "EMAIL").location == Location(line=3, column=8)


def test_docx_footnote_comment_textbox_and_properties(tmp_path: Path):
    from fixtures.formats import write_rich_docx

    p = write_rich_docx(tmp_path / "rich.docx", body=["Intro", "nothing"],
                        footnote=f"Source: SSN {SSN}", comment=f"ask {EMAIL}",
                        textbox="Card 4539 1488 0343 6467",
                        title="Restricted memo about 203.0.113.42",
                        custom={"MSIP_Label_1234_Name": "Confidential", "Owner": EMAIL})
    fmt, segs, ctx = extract(p)
    assert fmt == "docx"
    by_part = {s.location.part: s for s in segs if s.location.part}
    assert by_part["footnote 1"].location == Location(part="footnote 1", paragraph=1)
    assert by_part["comment 0"].context == "Reviewer"
    assert [s.location.part for s in segs].count("text box 1") == 1  # VML copy skipped
    assert find(p, "US_SSN").location == Location(part="footnote 1", paragraph=1)
    assert find(p, "CREDIT_CARD").location == Location(part="text box 1", paragraph=1)
    assert find(p, "IPV4").location == Location(part="property title")
    assert ctx.metadata["custom_properties"]["MSIP_Label_1234_Name"] == "Confidential"
    assert ctx.metadata["core_properties"]["title"].startswith("Restricted")
    assert "word/footnotes.xml" in ctx.metadata["ooxml_parts"]


def test_xlsx_hidden_sheet_formula_value_and_comment(tmp_path: Path):
    from fixtures.formats import write_rich_xlsx

    p = write_rich_xlsx(tmp_path / "book.xlsm", visible={"A1": "name", "A2": "Jane"},
                        hidden={"A1": "ssn", "A2": SSN},
                        comment=("A2", f"Reach her at {EMAIL}"),
                        formula_value="4539 1488 0343 6467")
    fmt, _, ctx = extract(p)
    assert fmt == "xlsx"
    assert find(p, "US_SSN").location == Location(sheet="Secret", cell="A2")
    assert find(p, "EMAIL").location == Location(sheet="Visible", cell="A2", part="comment")
    assert find(p, "CREDIT_CARD").location == Location(sheet="Visible", cell="C1")
    assert ctx.metadata["hidden_sheets"] == ["Secret"]


def test_pptx_slides_tables_and_notes(tmp_path: Path):
    from fixtures.formats import write_pptx

    p = write_pptx(tmp_path / "deck.pptx", title="Quarterly review",
                   body=f"Owner: {EMAIL}", table=[["name", "ssn"], ["Jane", SSN]],
                   notes="Card on file 4539 1488 0343 6467")
    fmt, _, _ = extract(p)
    assert fmt == "pptx"
    assert find(p, "EMAIL").location.slide == 2
    assert find(p, "US_SSN").location == Location(slide=2, part="table 1", cell="B2")
    assert find(p, "CREDIT_CARD").location == Location(slide=2, part="notes", paragraph=1)


def test_legacy_xls(tmp_path: Path):
    from fixtures.formats import write_xls

    p = write_xls(tmp_path / "old.xls", {"Intro": [["hello"]],
                                         "Staff": [["name", "ssn"], ["Jane", SSN]]})
    fmt, _, _ = extract(p)
    assert fmt == "xls"
    hit = find(p, "US_SSN")
    assert hit.location == Location(sheet="Staff", cell="B2")


def test_odt_paragraphs_note_and_user_fields(tmp_path: Path):
    from fixtures.formats import write_odt

    p = write_odt(tmp_path / "letter.odt", ["Dear Jane,", f"write to {EMAIL}"],
                  note=f"SSN {SSN}", custom={"Classification": "Internal"})
    fmt, _, ctx = extract(p)
    assert fmt == "odf"
    assert find(p, "EMAIL").location == Location(paragraph=2)
    assert find(p, "US_SSN").location == Location(part="note 3.1", paragraph=1)
    assert ctx.metadata["custom_properties"] == {"Classification": "Internal"}


def test_ods_cells_with_repeats(tmp_path: Path):
    from fixtures.formats import write_ods

    p = write_ods(tmp_path / "book.ods", {"People": [["name", "", "ssn"], ["Jane", "", SSN]]})
    hit = find(p, "US_SSN")
    assert hit.location == Location(sheet="People", cell="D2")


def test_ndjson_line_and_pointer(tmp_path: Path):
    p = tmp_path / "events.jsonl"
    p.write_text('{"user": {"name": "Al"}}\n\n{"user": {"email": "' + EMAIL + '"}}\n')
    fmt, _, _ = extract(p)
    assert fmt == "ndjson"
    assert find(p, "EMAIL").location == Location(line=3, part="/user/email")
    q = tmp_path / "export.json"  # NDJSON saved as .json
    q.write_text(p.read_text())
    assert find(q, "EMAIL").location == Location(line=3, part="/user/email")


def test_pdf_metadata_scanned_page_and_encryption(tmp_path: Path):
    from fixtures.formats import pdf_bytes

    p = tmp_path / "scan.pdf"
    p.write_bytes(pdf_bytes([[f"SSN {SSN}"], None], info={"Title": f"for {EMAIL}"}))
    result, hits = findings(p)
    assert result.status is Status.PARTIAL
    assert any("no text layer on page(s) 2" in e for e in result.errors)
    assert [f.location for f in hits if f.type == "EMAIL"] == [Location(part="property Title")]
    _, _, ctx = extract(p)
    assert ctx.metadata["pdf_info"]["Title"] == f"for {EMAIL}"

    locked = tmp_path / "locked.pdf"
    locked.write_bytes(pdf_bytes([[f"SSN {SSN}"]], user_password="s3cret"))
    result, hits = findings(locked)
    assert result.status is Status.ENCRYPTED and not hits and result.verdict is None
    result, hits = findings(locked, Config(passwords=("nope", "s3cret")))
    assert result.status is Status.SCANNED
    assert [f.location for f in hits] == [Location(page=1, line=1, column=5)]
    assert all("s3cret" not in e for e in result.errors)


def test_pdf_information_dictionary_named_with_escapes_is_read(tmp_path: Path):
    """pdfminer reads the information dictionary only when the trailer names one; the
    key spelt with #xx escapes still counts, or custom (MIP label) keys would be lost."""
    from fixtures.formats import pdf_bytes

    plain = pdf_bytes([["hello"]], info={"Title": "Plan", "MSIP_Label_1234_Name": "Secret"})
    assert plain.count(b"/Info ") == 1  # in the trailer, after the cross-reference table
    p = tmp_path / "escaped.pdf"
    p.write_bytes(plain.replace(b"/Info ", b"/I#6efo "))
    _, _, ctx = extract(p)
    assert ctx.metadata["pdf_info"] == {"Title": "Plan", "MSIP_Label_1234_Name": "Secret"}


def test_pdf_without_information_dictionary_does_not_load_pdfminer(tmp_path: Path):
    import json
    import subprocess
    import sys

    from fixtures.formats import pdf_bytes

    p = tmp_path / "bare.pdf"
    p.write_bytes(pdf_bytes([[f"SSN {SSN}"], ["page two"]]))
    code = ("import json, sys; from dataclass_scan.extract import ExtractContext, get_extractor;"
            "from dataclass_scan.model import Item;"
            f"item = Item(path='bare.pdf', size=0, fs_path={str(p)!r});"
            "ctx = ExtractContext(max_bytes=10**8);"
            "texts = [s.location.page for s in get_extractor('pdf')(item, ctx)];"
            "print(json.dumps([texts, ctx.metadata, ctx.warnings,"
            " sorted({m.split('.')[0] for m in sys.modules} & {'pdfminer', 'pdfplumber'})]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [[1, 2], {"pdf_info": {}}, [], []]


def test_pdf_embedded_files_are_scanned(tmp_path: Path):
    from fixtures.formats import pdf_bytes

    p = tmp_path / "portfolio.pdf"
    p.write_bytes(pdf_bytes([["see attachment"]],
                            attachments={"people.csv": f"name,ssn\nJane,{SSN}\n".encode()}))
    ctx = build_context(Config())
    results = {r.path: r for r in process_item(
        Item(path=str(p), size=p.stat().st_size, fs_path=str(p)), ctx)}
    child = results[f"{p}!people.csv"]
    assert child.format == "csv"
    assert [(f.type, f.location.cell) for f in child.findings if f.type == "US_SSN"] == [
        ("US_SSN", "B2")]


def test_odf_presentation_slides_and_encrypted_odt(tmp_path: Path):
    from fixtures.formats import _odf

    body = ('<office:presentation><draw:page xmlns:draw="urn:oasis:names:tc:opendocument:'
            'xmlns:drawing:1.0" draw:name="one"><text:p>Intro</text:p></draw:page>'
            '<draw:page xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
            f'draw:name="two"><text:p>Owner</text:p><text:p>{EMAIL}</text:p></draw:page>'
            "</office:presentation>")
    p = _odf(tmp_path / "deck.odp", "application/vnd.oasis.opendocument.presentation", body, "")
    assert find(p, "EMAIL").location == Location(slide=2, paragraph=2)
    import zipfile

    locked = tmp_path / "locked.odt"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(locked, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "META-INF/manifest.xml":
                data = data.replace(b"</manifest:manifest>", b'<manifest:file-entry manifest:'
                                    b'full-path="content.xml"><manifest:encryption-data/>'
                                    b"</manifest:file-entry></manifest:manifest>")
            dst.writestr(name, data)
    result, _ = findings(locked)
    assert result.status is Status.ENCRYPTED
