"""The prefilter must never change results: compare against scanning every pattern over
the whole text, for the built-in packs, generated corpora and random patterns."""

from __future__ import annotations

import sys

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.api import load_rules
from dataclass_scan.config import Config
from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.prefilter import SMALL_TEXT, Prefilter, analyze, fold, shortest
from dataclass_scan.model import Location, Segment
from fixtures.corpus import PLANTS, prose


@pytest.fixture(scope="module")
def engines():
    packs = load_rules(Config())
    # The pure-Python prefilter: with Hyperscan installed, "auto" would pick that one
    # (tests/test_hsprefilter.py covers it).
    return Engine(packs, prefilter_engine="python"), Engine(packs, prefilter=False)


def _findings(engine, text, track=True):
    res = engine.detect(Segment(text=text, location=Location(line=1), track_lines=track))
    return [(f.rule, f.start, f.end, f.confidence, f.location, f.excerpt, f.value_hash,
             f.reasons) for f in res.findings], res.errors


def test_keys_are_derived_from_the_patterns():
    aws = analyze(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])")
    assert aws.literals == {"akia", "asia"} and aws.width == 20 and aws.margin == 2
    email = analyze(r"(?<![\w.])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
    assert email.literals == {"@"} and email.width == float("inf")
    assert email.barrier is not None and email.barrier.search("a b").group() == " "
    ssn = analyze(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
    assert (ssn.cluster_digits, ssn.cluster_gap, ssn.lead, ssn.trail) == (9, 1, 0, 0)
    assert not ssn.literals
    # A back-reference is as wide as its group; its digits are not counted twice.
    sin = analyze(r"(?<![\d-])\d{3}([- ]?)\d{3}\1\d{3}(?![\d-])")
    assert (sin.cluster_digits, sin.cluster_gap) == (9, 1)
    # Digits too far apart for a cluster: the longest guaranteed run is the key.
    curp = analyze(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")
    assert curp.digits == 6 and not curp.cluster_digits
    french = analyze(r"\d{1,4},? (?:rue|allée|impasse) [A-Z]\w+")
    assert french.literals == {" rue ", " allée ", " impasse "}
    pem = analyze(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
    assert pem.literals == {"-----begin "}
    # Syntax only the regex module knows, or nothing to hold on to: always run.
    for pattern in (r"\p{Lu}{3}\d", r"(?:foo){e<=1}", r"[[:alpha:]]+x", r"\w+", r".{3,}"):
        assert not analyze(pattern).usable, pattern
    assert not analyze("(?<=a+)b").usable  # unbounded look-behind (regex allows it)


def test_fold_catches_every_case_insensitive_ascii_letter_match():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folded = fold(every)
    assert folded is not None and len(folded) == len(every)
    from dataclass_scan.detect.prefilter import _LATIN1_LETTERS

    for letter in "abcdefghijklmnopqrstuvwxyz" + "".join(sorted(_LATIN1_LETTERS)):
        for m in regex.finditer(regex.escape(letter), every, flags=regex.IGNORECASE):
            assert folded[m.start()] == letter.lower(), (letter, hex(ord(m.group())))
    # Case-sensitive patterns too: the folded text holds the lower-case letter.
    for letter in _LATIN1_LETTERS:
        assert fold(letter) == letter.lower()


@pytest.mark.parametrize("seed", range(4))
def test_builtin_packs_same_findings_on_generated_prose(engines, seed):
    fast, full = engines
    text = prose(60_000 + seed * 20_000, seed=seed, every=300 + seed * 200)
    got, want = _findings(fast, text), _findings(full, text)
    assert got == want
    assert len(want[0]) > 20


def test_values_at_segment_edges_and_in_dense_text(engines):
    fast, full = engines
    plants = [p.format(first="ann", last="lee", n4="8145", n2="42") for p in PLANTS]
    cases = ["".join(plants), "\n".join(plants), " ".join(plants) * 50,
             plants[0], plants[-1], "x" * 5000 + plants[1], plants[2] + "y" * 5000,
             "1 2 3 4 " * 2000 + plants[1] + " 5 6" * 100]
    for text in cases:
        assert _findings(fast, text) == _findings(full, text)


FRAGMENTS = [p.format(first="kim", last="ray", n4="8145", n2="7") for p in PLANTS] + [
    " ", "\n", "-", ".", "@", "+", "(", ")", "0", "536", "22", "8145", "4539", "AKIA",
    "akia", "ſ", "K", "İ", "é", "٣", "\x00", "ssn", "phone", "ip", "DE89", "-----BEGIN ",
    "PRIVATE KEY-----", "RSA ", "a", "Z", "_", "203.0.113.", "+44", "x@y", ".com",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=80))
def test_builtin_packs_same_findings_on_random_texts(engines, parts):
    fast, full = engines
    text = "".join(parts)
    assert _findings(fast, text) == _findings(full, text)


# -- random patterns: region scans equal whole-text scans -----------------------------

_ATOMS = [r"\d", r"[0-9]", r"[a-c]", r"[^\s]", r"\w", r"\s", "a", "b", "B", "@", "-", r"\.",
          "ab", "AKIA", r"[ -]", r"\b", "(?<!\\d)", "(?!\\w)", "(?<![a-z])", "(?=b)", "x",
          r"[^a]", ".", "(?i:ab)", r"\W", "(?<=a)"]


@st.composite
def _patterns(draw, depth=0):
    n = draw(st.integers(1, 5))
    out = []
    for _ in range(n):
        kind = draw(st.integers(0, 9 if depth < 2 else 5))
        if kind <= 5:
            atom = draw(st.sampled_from(_ATOMS))
        elif kind == 6:
            atom = "(?:" + draw(_patterns(depth=depth + 1)) + ")"
        elif kind == 7:
            atom = ("(?:" + draw(_patterns(depth=depth + 1)) + "|"
                    + draw(_patterns(depth=depth + 1)) + ")")
        else:
            atom = "(" + draw(_patterns(depth=depth + 1)) + ")"
        if not atom.startswith(("(?<", "(?=", "(?!", r"\b")):
            q = draw(st.sampled_from(["", "", "?", "*", "+", "{2}", "{1,3}", "{0,2}", "+?"]))
            atom += q
        out.append(atom)
    return "".join(out)


_TEXT_ALPHABET = list("ab Bx@-.0123456789\n_") + ["AKIA", "ak", "ſ", "K", "٣", "é"]


def _check_regions(pattern: str, flags: int, text: str) -> None:
    try:
        compiled = regex.compile(pattern, flags)
        want = [m.span() for m in compiled.finditer(text, timeout=0.5)]
    except (regex.error, TimeoutError):
        return  # invalid, or backtracks catastrophically: nothing to compare
    pf = Prefilter([(pattern, flags)])
    regions = pf.scan(text).regions(0)
    if regions is None:
        return
    got = [m.span() for s, e in regions for m in compiled.finditer(text, s, e)]
    assert got == want, (pattern, regions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_patterns(), st.sampled_from([0, regex.IGNORECASE]),
       st.lists(st.sampled_from(_TEXT_ALPHABET), max_size=300))
def test_random_patterns_regions_equal_whole_text(pattern, flags, parts):
    _check_regions(pattern, flags, "".join(parts))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_patterns(), st.integers(0, 3), st.integers(0, 10_000))
def test_random_patterns_on_long_sparse_texts(pattern, layout, seed):
    import random

    rng = random.Random(seed)
    filler = ["lorem ipsum dolor ", "sit amet ", "\n", "consectetur "][layout]
    pieces = []
    for _ in range(rng.randrange(1, 40)):
        pieces.append(filler * rng.randrange(0, 200))
        pieces.append("".join(rng.choice(_TEXT_ALPHABET) for _ in range(rng.randrange(1, 12))))
    _check_regions(pattern, 0, "".join(pieces))


def test_pattern_check_cache_still_reports_bad_patterns(tmp_path, monkeypatch):
    from dataclass_scan.detect import patcache

    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path))
    patcache.check(r"\d{3}-\d{2}", 0)
    assert (tmp_path / "patterns-ok").read_text().count("\n") == 1
    patcache.check(r"\d{3}-\d{2}", 0)  # known: not recorded twice
    assert (tmp_path / "patterns-ok").read_text().count("\n") == 1
    with pytest.raises(regex.error):
        patcache.check(r"(unclosed", 0)
    with pytest.raises(regex.error):
        patcache.check(r"(unclosed", 0)
    assert r"\d{3}" not in (tmp_path / "patterns-ok").read_text()


def test_complementary_classes_give_no_barrier_regression():
    # `(?!\w)\W*\d` once got the barrier `[^\w\W\d]`, which the regex module lets match
    # every character: regions then started after a newline the match begins with.
    assert analyze(r"(?!\w)\W*\d").barrier_src is None
    text = ("lorem ipsum dolor " * 300) + "\n-8x1x" + (" sit amet" * 300)
    _check_regions(r"(?!\w)\W*\d", 0, text)


def test_barrier_with_a_class_and_its_complement_regression():
    """regex's `[^\\w\\W]` matches letters; a barrier built that way cut a match short."""
    pattern = r"a\d*(?:[^\s][^\s])(?:\W|(?!\w)[^\s]\s\d)[^\s]"
    text = ("lorem ipsum dolor " * 90) + "or 99akB-\n9lorem " + ("sit amet " * 50)
    _check_regions(pattern, 0, text)
    key = analyze(pattern)
    assert key.barrier is None or key.barrier.search(text) is None


def test_assignment_keywords_and_posix_like_classes_get_keys():
    key = analyze(r"(?<![\w])(?:password|pwd)[\"']?\s*(?::=|=>|[:=])\s*"
                  r"(?P<value>[^\s\"'`;,]{6,64})", regex.IGNORECASE)
    assert key.literals == {"password", "pwd"} and key.barrier is not None
    assert analyze(r"[0-9a-f]{2}([:-])[0-9a-f]{2}").literals == {":", "-"}


# -- digit clusters ---------------------------------------------------------------------

def test_digit_cluster_keys_skip_years_and_amounts():
    card = r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)"
    key = analyze(card)
    assert (key.cluster_digits, key.cluster_gap) == (16, 1)
    years = ("In 2024 we shipped 12 fixes, 3.2.1 and 40 pallets; " * 400)
    pf = Prefilter([(card, 0)])
    assert pf.scan(years).regions(0) == []
    text = years + "card 4539 1488 0343 6467 ok" + years
    regions = pf.scan(text).regions(0)
    assert regions is not None and len(regions) == 1
    _check_regions(card, 0, text)


def test_digit_cluster_regions_reach_the_letters_before_and_after():
    far = " lorem ipsum dolor sit amet" * 200
    for pattern, value in ((r"[A-Z]{2}\d{5}", "XY20245"), (r"\d{5}[A-Z]{3}", "20245XYZ"),
                           (r"[A-Z]{2}\d{3}-?\d{2}[a-z]{2}", "AB123-45cd")):
        key = analyze(pattern)
        assert key.cluster_digits == 5, pattern
        text = far + value + far
        regions = Prefilter([(pattern, 0)]).scan(text).regions(0)
        assert regions is not None and len(regions) == 1
        assert [m.group() for s, e in regions for m in regex.finditer(pattern, text[s:e])] \
            == [value]
        _check_regions(pattern, 0, text)


_DIGIT_ATOMS = [r"[A-Z]{2}", r"\d", r"[0-9]", r"\d{2}", r"\d{1,3}", r"\d+", r"[ -]?",
                r"[ .-]", r"-", r"\.", r"[A-Z]", r"[A-Z0-9]", r"\w", r"\s?", r"(?<!\d)",
                r"(?!\d)", r"\b",
                r"(?:\d{3}|\d{2}-\d)", r"(?:\d\d)?", r"([ -]?)", r"x{0,2}"]


@st.composite
def _digit_patterns(draw):
    atoms = draw(st.lists(st.sampled_from(_DIGIT_ATOMS), min_size=1, max_size=9))
    body = "".join(atoms)
    if "(" in body and "([ -]?)" in atoms and draw(st.booleans()):
        body += r"\d\1\d"  # a back-reference to the separator group
    return body


_FAR = " lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
_DIGIT_TEXT = ["1", "22", "333", "4444", "2024", " ", "-", ".", "A", "x", "\n", "٣", "ab",
               "4539 1488", "-0343-", "12.34.56", "AB", "Q7", _FAR, _FAR]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_digit_patterns(), st.lists(st.sampled_from(_DIGIT_TEXT), max_size=200),
       st.integers(0, 3))
def test_random_digit_patterns_regions_equal_whole_text(pattern, parts, pad):
    # Far-apart values (the filler is longer than the gap regions are merged across),
    # in a text long enough for regions to be used at all.
    filler = _FAR * (pad * 20 + 55)
    _check_regions(pattern, 0, filler + "".join(parts) + filler)
    _check_regions(pattern, 0, "".join(parts))


# -- anchors ------------------------------------------------------------------------------

def test_anchor_keys_for_patterns_without_literals_or_long_digit_runs():
    iban = r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?![A-Za-z0-9])"
    key = analyze(iban)
    assert key.anchor_src is not None and key.lead == 0 and key.trail == 39
    far = " lorem ipsum dolor sit amet in 2024 with 12 fixes" * 200
    text = far + "IBAN DE89 3704 0044 0532 0130 00" + far + "GB29NWBK60161331926819" + far
    regions = Prefilter([(iban, 0)]).scan(text).regions(0)
    assert regions is not None and len(regions) == 2
    _check_regions(iban, 0, text)
    assert Prefilter([(iban, 0)]).scan(far).regions(0) == []
    # Non-ASCII text: the anchor keeps `\d` (an Arabic-Indic digit is a digit too).
    _check_regions(r"[A-Z]{3}\d{2}[A-Z]", 0, far + "é XYZ٣٣Q " + far)


def test_anchor_occurrences_may_overlap():
    pattern = r"(?<![A-Z])[A-Z]\d[A-Z]\d[A-Z]{3}(?![A-Z])"
    key = analyze(pattern)
    assert key.anchor_src is not None
    far = " lorem ipsum dolor sit amet" * 300
    # Occurrences of the anchor overlap each other and the real matches.
    for value in ("A1A1A1B2CDE", "A1B2CDE1F2GHI", "Z9A1B2CDE", "A1B2C3D4EFG"):
        text = far + value + far
        assert Prefilter([(pattern, 0)]).scan(text).regions(0)
        _check_regions(pattern, 0, text)


# -- which patterns a segment wakes (one call per segment, not one per pattern) ---------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_patterns(), min_size=1, max_size=6), st.sampled_from([0, regex.IGNORECASE]),
       st.lists(st.sampled_from(_TEXT_ALPHABET), max_size=40), st.booleans())
def test_active_names_every_pattern_that_matches(patterns, flags, parts, long_text):
    text = "".join(parts)
    if long_text:
        text = "lorem ipsum " * (SMALL_TEXT // 12) + text
    try:
        compiled = [regex.compile(p, flags) for p in patterns]
    except regex.error:
        return
    pf = Prefilter([(p, flags) for p in patterns])
    active = pf.scan(text).active()
    assert active == sorted(set(active))
    for i, c in enumerate(compiled):
        try:
            spans = [m.span() for m in c.finditer(text, timeout=0.5)]
        except TimeoutError:
            continue
        assert all(e - s >= pf.shortest[i] for s, e in spans), patterns[i]
        if spans:
            assert i in active, (patterns[i], text)


def test_active_matches_regions_on_table_cells(engines):
    """In a short text `active` is exactly the patterns whose regions are not [] and
    whose shortest match fits."""
    pf = engines[0]._prefilter
    cells = ["revenue", "2024", "123457", "536-22-8145", "4539 1488 0343 6467", "", "x",
             "jane.doe@acme-corp.com", "AKIA2OGYBAH6STMJ5Q7X", "DE89 3704 0044 0532 0130 00",
             "+44 20 7946 0958", "Maria Garcia", "1990-05-17", "CONFIDENTIAL", "ſ1٣2"]
    for cell in cells:
        scan = pf.scan(cell)
        want = [i for i in range(len(pf.keys))
                if scan.regions(i) != [] and pf.shortest[i] <= len(cell)]
        assert scan.active() == want, cell


def test_active_on_pages_leaves_out_numeric_identifiers_without_a_cluster(engines):
    """In a text longer than SMALL_TEXT, a pattern with a digit-cluster key is active
    exactly when its regions are not []: a page without a long enough cluster wakes
    none of the national numbers; and every pattern with regions is active."""
    pf = engines[0]._prefilter
    filler = "In 2024 we shipped 12 fixes, 3.2.1 and 40 pallets to Austin. " * 12
    values = ["", "call 536-22-8145 today", "card 4539 1488 0343 6467 ok",
              "ref 12345678901 and 1234 5678 9012", "+44 20 7946 0958", "1990-05-17",
              "٣٣٣٣٣٣٣٣٣ in Arabic-Indic digits", "x" * 20]
    for value in values:
        text = filler + value + filler
        assert len(text) > SMALL_TEXT
        scan = pf.scan(text)
        active = scan.active()
        assert active == sorted(set(active))
        with_regions = [i for i in range(len(pf.keys)) if scan.regions(i) != []
                        and pf.shortest[i] <= len(text)]
        assert set(with_regions) <= set(active), value
        clustered = [i for i in range(len(pf.keys)) if pf.keys[i].cluster_digits]
        assert [i for i in active if i in clustered] == \
            [i for i in with_regions if i in clustered], value
    # The plain filler wakes no numeric identifier of 9 digits or more.
    scan = pf.scan(filler * 2)
    assert not [i for i in scan.active() if pf.keys[i].cluster_digits >= 9]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_digit_patterns(), min_size=1, max_size=6),
       st.lists(st.sampled_from(_DIGIT_TEXT), max_size=60))
def test_active_names_every_digit_pattern_that_matches_in_long_texts(patterns, parts):
    text = _FAR * 8 + "".join(parts) + _FAR * 8
    try:
        compiled = [regex.compile(p) for p in patterns]
    except regex.error:
        return
    pf = Prefilter([(p, 0) for p in patterns])
    scan = pf.scan(text)
    active = scan.active()
    for i, c in enumerate(compiled):
        if pf.keys[i].cluster_digits:
            assert (i in active) == (scan.regions(i) != []), patterns[i]
        if any(True for _ in c.finditer(text)):
            assert i in active, (patterns[i], text)


def test_shortest_is_the_fewest_characters_a_match_consumes():
    assert shortest(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)") == 11
    assert shortest(r"\bAKIA[A-Z2-7]{16}\b") == 20
    assert shortest(r"a*") == 0
    assert shortest(r"\p{L}{5}") == 0  # syntax only `regex` knows: unsure
