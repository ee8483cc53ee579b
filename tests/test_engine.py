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


# -- fast paths against the reference ---------------------------------------------------
# The engine finds context words with one automaton per window (detect/words.py), asks
# the prefilter once per segment which rules can fire, and remembers validator and
# allowlist verdicts. The reference: every rule's word regex, every rule run over the
# whole text, nothing remembered. Findings and traces must be the same.

_ORDER_PACK = """\
pack: t
rules:
  - id: order
    type: ORDER_NO
    category: custom
    patterns: ['\\bORD-\\d{4}\\b']
    confidence: medium
    exclude:
      values: [ORD-0000]
      words: [sample, do not use]
    context:
      window: 12
      keywords: [order, bestellung, número de pedido]
      negative: [test, dummy]
  - id: ticket
    type: TICKET
    category: custom
    patterns: ['\\bT\\d{5}\\b']
    context:
      keywords: [ticket]
      required: true
"""


class _Forgetful(dict):  # type: ignore[type-arg]
    def __setitem__(self, key, value):  # noqa: ANN001 - remembers nothing
        pass


class _RegexOnly:
    def scan(self, text: str):  # noqa: ANN201
        from dataclass_scan.detect.words import ScannedText

        return ScannedText(text, False, None)  # every word list answered by its regex


def _reference(packs) -> Engine:  # noqa: ANN001
    engine = Engine(packs, prefilter=False)
    engine._words = _RegexOnly()  # type: ignore[assignment]
    engine._verdicts = _Forgetful()
    engine._allowed = _Forgetful()
    engine._context_words = _Forgetful()
    return engine


def _run(engine: Engine, segment: Segment) -> tuple[list[tuple], list[tuple]]:
    events: list[tuple] = []
    res = engine.detect(segment, tracer=lambda e: events.append(
        (e.rule, e.start, e.end, e.step, e.outcome, e.detail)))
    return [(f.rule, f.type, f.confidence, f.location, f.excerpt, f.value_hash, f.value,
             f.start, f.end, f.reasons) for f in res.findings], events


_CASES = [
    ("SSN 536-22-8145", ""),
    ("SSN\n\n536-22-8145", ""),  # a blank line ends the context
    ("SSN\n536-22-8145", ""),
    ("536-22-8145\n\nSSN", ""),
    ("social security number" + " " * 18 + "536-22-8145", ""),  # keyword at the window edge
    ("social security number" + " " * 19 + "536-22-8145", ""),
    ("536228145", "ssn"),
    ("536228145", "social_security-number"),
    ("536228145", "order_id"),
    ("test card 4539 1488 0343 6467", ""),
    ("card 4539 1488 0343 6467 (sample data, test)", "notes"),
    ("SSN 536-22-8145 # dataclass-scan: ignore[us.ssn]\nSSN 536-22-8146", ""),
    ("SSN 536-22-8145 # DATACLASS-SCAN: IGNORE\nssn: 536 22 8145", ""),
    ("Numéro de sécurité sociale : 1 85 05 78 006 084 36", ""),
    ("Teléfono: +34 612 345 678 — móvil", ""),
    ("ſsn 536-22-8145 and İD 536-22-8146", ""),
    ("order ORD-1234, a sample ORD-2345, ORD-0000, test ORD-3456", ""),
    ("ORD-4567", "sample_id"),
    ("ORD-4567 do not use", ""),
    ("número de pedido ORD-5678", ""),
    ("ticket T12345 and T23456\n\nT34567", ""),
    ("T45678", "ticket_no"),
    ("Dear Maria Garcia,\nKind regards,\nJames Johnson", ""),
    ("jane.doe@acme-corp.com jane.doe@example.com jane.doe@acme-corp.com", "email"),
]


def test_fast_paths_give_the_reference_findings_and_traces(tmp_path: Path):
    p = tmp_path / "t.yml"
    p.write_text(_ORDER_PACK, encoding="utf-8")
    packs = [*load_packs(), load_pack(p)]
    fast, ref = Engine(packs), _reference(packs)
    for _ in range(2):  # the second round answers from the memos
        for text, context in _CASES:
            for track in (True, False):
                seg = Segment(text=text, location=Location(line=3, column=5), context=context,
                              track_lines=track)
                assert _run(fast, seg) == _run(ref, seg), (text, context)


def test_fast_paths_on_generated_prose_and_table_cells():
    from fixtures.corpus import prose
    from fixtures.evalset import LABELS, TABLE_TYPES, hard_negatives, make_value

    packs = load_packs()
    fast, ref = Engine(packs), _reference(packs)
    for seed in (1, 2):
        text = prose(60_000, seed=seed, every=300)
        seg = Segment(text=text, location=Location(line=1), track_lines=True)
        assert _run(fast, seg) == _run(ref, seg)
    import random

    rng = random.Random(4)
    for _ in range(400):
        etype = rng.choice(TABLE_TYPES)
        cell = rng.choice([make_value(etype, rng), rng.choice(hard_negatives(rng)),
                           str(rng.randrange(10 ** rng.randrange(1, 12))), "revenue", "2024"])
        header = rng.choice([LABELS[etype][1], "notes", "", "id"])
        seg = Segment(text=cell, location=Location(sheet="S", cell="B2"), context=header)
        assert _run(fast, seg) == _run(ref, seg), (cell, header)
