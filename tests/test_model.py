from dataclass_scan.model import Confidence, Location, Segment


def test_location_render_text_and_sheet():
    assert Location(page=3, line=12, column=4).render() == ":page 3:line 12:col 4"
    assert Location(sheet="Sheet1", cell="B7").render() == "!Sheet1!B7"
    assert Location(line=2, cell="C2").render() == ":line 2:cell C2"
    assert Location(part="/customers/0/ssn").render() == ":/customers/0/ssn"


def test_location_roundtrip():
    loc = Location(page=2, line=5, column=1)
    assert Location.from_dict(loc.to_dict()) == loc


def test_segment_locate_lines_and_columns():
    seg = Segment(text="ab\ncde\nf", location=Location(line=1), track_lines=True)
    assert seg.locate(0) == Location(line=1, column=1)
    assert seg.locate(4) == Location(line=2, column=2)
    assert seg.locate(7) == Location(line=3, column=1)


def test_segment_locate_keeps_page_and_base_line():
    seg = Segment(text="x\ny", location=Location(page=4, line=10), track_lines=True)
    assert seg.locate(2) == Location(page=4, line=11, column=1)


def test_segment_without_line_tracking_returns_its_location():
    loc = Location(sheet="S", cell="A1")
    assert Segment(text="abc", location=loc).locate(2) == loc


def test_confidence_raise_saturates():
    assert Confidence.LOW.raised() is Confidence.MEDIUM
    assert Confidence.MEDIUM.raised(2) is Confidence.HIGH
    assert Confidence.HIGH.raised() is Confidence.HIGH
