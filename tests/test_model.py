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


def test_locate_all_equals_locate_in_any_order():
    import random

    rng = random.Random(2)
    for _ in range(200):
        text = "".join(rng.choice(["ab", "\n", "c", "\n\n", "défg", " "])
                       for _ in range(rng.randrange(0, 40)))
        seg = Segment(text=text, location=Location(page=2, line=rng.choice([None, 1, 7]),
                                                   column=rng.choice([None, 1, 4])),
                      track_lines=True)
        offsets = sorted(rng.randrange(0, len(text) + 1) for _ in range(rng.randrange(0, 6)))
        if rng.random() < 0.3:
            rng.shuffle(offsets)
        assert seg.locate_all(offsets) == [seg.locate(o) for o in offsets], (text, offsets)
    loc = Location(sheet="S", cell="B2")
    assert Segment(text="a\nb", location=loc).locate_all([0, 2]) == [loc, loc]


def test_findings_pickle_with_every_field():
    """Findings cross the worker pipe pickled positionally (Finding.__reduce__): every
    field must come back, `value` too although it takes no part in equality."""
    import pickle

    from dataclass_scan.model import Finding

    finding = Finding(rule="r", type="t", category="c", confidence=Confidence.HIGH,
                      location=Location(page=2, line=7, column=3, sheet="S", cell="B2",
                                        slide=4, paragraph=5, part="word/document.xml"),
                      excerpt="4539 **** 6467", value_hash="ab12", value="4539148803436467",
                      start=10, end=29, reasons=("context: card",))
    back = pickle.loads(pickle.dumps([finding, finding]))
    assert back == [finding, finding]
    assert back[0].value == "4539148803436467"
    assert back[0].location.to_dict() == finding.location.to_dict()
    assert pickle.loads(pickle.dumps(Location())) == Location()
