from __future__ import annotations

from pathlib import Path

from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.rulepack import load_pack, load_packs
from dataclass_scan.model import Confidence, Location, Segment

ENGINE = Engine(load_packs())


def find(text: str, context: str = "") -> list[tuple[str, str, str]]:
    res = ENGINE.detect(Segment(text=text, location=Location(line=1), track_lines=True,
                                context=context))
    return [(f.type, text[f.start:f.end], f.confidence.value) for f in res.findings]


def test_ssn_invalid_areas_groups_serials_rejected():
    for bad in ("000-12-3456", "666-12-3456", "900-12-3456", "536-00-8145", "536-22-0000"):
        assert not [t for t in find(f"SSN {bad}") if t[0] == "US_SSN"], bad
    assert ("US_SSN", "536-22-8145", "high") in find("SSN 536-22-8145")


def test_context_raises_confidence():
    assert ("US_SSN", "536-22-8145", "medium") in find("ref 536-22-8145")
    assert ("US_SSN", "536-22-8145", "high") in find("social security number: 536-22-8145")


def test_structural_context_from_column_header():
    assert find("536228145", context="ssn") == [("US_SSN", "536228145", "high")]
    assert find("536228145", context="order_id") == []


def test_luhn_and_iban_checksums():
    assert ("CREDIT_CARD", "4539 1488 0343 6467", "high") in find("card 4539 1488 0343 6467")
    assert not [t for t in find("card 4539 1488 0343 6468") if t[0] == "CREDIT_CARD"]
    assert [t for t in find("IBAN DE12500105170648489890") if t[0] == "IBAN"]
    assert not [t for t in find("IBAN DE13500105170648489890") if t[0] == "IBAN"]


def test_dictionary_marking_word_boundaries_and_case():
    assert [t[1] for t in find("CONFIDENTIAL draft") if t[0] == "MARKING"] == ["CONFIDENTIAL"]
    assert not [t for t in find("NONCONFIDENTIAL") if t[0] == "MARKING"]
    assert [t[1] for t in find("This is Attorney-Client Privileged.")] == [
        "Attorney-Client Privileged"]


def test_locations_are_exact():
    res = ENGINE.detect(Segment(text="line one\nmail x.y@acme-corp.com",
                                location=Location(line=1), track_lines=True))
    (f,) = res.findings
    assert f.location == Location(line=2, column=6)
    assert f.excerpt.count("*") >= 2 and "x.y@" not in f.excerpt


def test_value_hash_is_keyed_and_stable():
    a = ENGINE.detect(Segment(text="SSN 536-22-8145")).findings[0]
    b = ENGINE.detect(Segment(text="ssn: 536 22 8145")).findings[0]
    assert a.value_hash == b.value_hash and a.value_hash.startswith("hmac-sha256:")
    import hashlib
    assert hashlib.sha256(b"US_SSN:536228145").hexdigest() not in a.value_hash


def test_pathological_pattern_times_out_and_is_reported(tmp_path: Path):
    p = tmp_path / "evil.yml"
    p.write_text("pack: evil\nrules:\n  - id: evil\n    type: EVIL\n    category: custom\n"
                 "    patterns: ['(a|aa)+$']\n", encoding="utf-8")
    engine = Engine([load_pack(p)], pattern_timeout=0.2)
    res = engine.detect(Segment(text="a" * 40 + "!"))
    assert res.findings == []
    assert res.errors and "evil" in res.errors[0] and "timed out" in res.errors[0]


def test_private_key_block_is_one_finding():
    text = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----"
    found = find(text)
    assert [t[0] for t in found] == ["PRIVATE_KEY"]
    assert found[0][2] == Confidence.HIGH.value


def test_ipv4_needs_valid_octets():
    assert ("IPV4", "203.0.113.42", "medium") in find("client ip 203.0.113.42")
    assert not [t for t in find("300.1.2.3 and 1.2.3.4.5") if t[0] == "IPV4"]
