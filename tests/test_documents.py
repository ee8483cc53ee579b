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
