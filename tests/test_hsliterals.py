"""The dictionary pass with Hyperscan (detect/hsliterals.py) finds exactly what the
pyahocorasick pass over the folded text finds: same (rule, start, end), same order, on
random texts made of the terms in every spelling next to every neighbour (letters that
fold oddly: the Kelvin sign lowers to an ASCII `k`, İ to two characters, Σ by context),
and the compiled database is cached like the prefilter's. (The name pass is compared
with both engines in test_names_equivalence.py.)"""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.detect import hsliterals
from dataclass_scan.detect.dictionary import DictionaryMatcher
from dataclass_scan.detect.rulepack import Rule

pytestmark = [pytest.mark.skipif(not hsliterals.available(), reason="hyperscan not installed"),
              pytest.mark.usefixtures("hyperscan_for_short_texts")]

TERMS = ["confidential", "top secret", "nur für internen gebrauch", "tlp:amber+strict",
         "kk", "οσ", "secret//noforn", "données à caractère personnel", "İstanbul", "straße",
         "σοφία", "ok", "a-b", "x"]


def _rules() -> list[Rule]:
    common = {"type": "marking", "category": "marking", "pack": "test", "kind": "dictionary"}
    return [
        Rule(id="loose", name="loose", terms=tuple(TERMS), word_boundary=False, **common),
        Rule(id="words", name="words", terms=tuple(TERMS[:7]), **common),
        Rule(id="exact", name="exact", terms=("CONFIDENTIAL", "Top Secret", "KK", "İstanbul"),
             case_sensitive=True, **common),
    ]


def _spellings(term: str) -> list[str]:
    return [term, term.upper(), term.title(), term.swapcase(), term.replace("k", "\u212a"),
            term.replace("s", "ſ"), term.upper().replace("I", "İ"), term.replace("a", "á"),
            term.upper().replace("S", "Σ")]


NEIGHBOURS = [" ", "", "_", "x", "é", "\n", "-", "?", "İ", "\u212a", "Σ", "ς", "9", "\u0301"]
pieces = st.sampled_from(sorted({s for t in TERMS for s in _spellings(t)} | set(NEIGHBOURS)))
texts = st.lists(pieces, max_size=40).map("".join)


@pytest.fixture(scope="module")
def matchers() -> tuple[DictionaryMatcher, DictionaryMatcher]:
    return DictionaryMatcher(_rules()), DictionaryMatcher(_rules(), native=True)


def _found(matcher: DictionaryMatcher, text: str) -> list[tuple[str, int, int]]:
    return [(rule.id, start, end) for rule, start, end in matcher.iter_matches(text)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_same_matches_as_the_automaton(matchers, text):
    pure, native = matchers
    assert _found(native, text) == _found(pure, text)


def test_same_matches_on_every_spelling_next_to_everything(matchers):
    pure, native = matchers
    text = "".join(a + s + b for t in TERMS for s in _spellings(t)
                   for a in NEIGHBOURS for b in (" ", "_", "é"))
    found = _found(native, text)
    assert found == _found(pure, text)
    assert {r for r, _, _ in found} == {"loose", "words", "exact"}
    # A Kelvin sign in the text still spells `kk`; `?` stands for it, as for any
    # non-ASCII character, and the folded text decides.
    assert ("loose", 0, 2) in _found(native, "\u212a\u212a and KK")


def test_caseless_expressions():
    assert hsliterals.caseless("ok") == "[oO][kK?]"
    assert hsliterals.caseless("a-b") == r"[aA]\x2d[bB]"
    assert hsliterals.caseless("für") == r"[fF]\?[rR]"
    assert hsliterals.literal("Se\u00f1or.") == r"Se\?or\x2e"


def test_database_cached_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path))
    hsliterals._COMPILED.clear()
    scanner = hsliterals.LiteralScanner(["abc", "[xX]yz"])
    assert scanner.ends(b"abc Xyz abc") == [(3, 0), (7, 1), (11, 0)]
    [cached] = tmp_path.glob("hyperscan-literals-*.db")
    assert stat.S_IMODE(os.stat(cached).st_mode) == 0o600
    # Loaded from the file in a new process (here: with the in-process copy gone).
    hsliterals._COMPILED.clear()
    assert hsliterals.LiteralScanner(["abc", "[xX]yz"]).ends(b"xyz") == [(3, 1)]
    # A damaged file is compiled again and replaced.
    cached.write_bytes(b"not a database")
    hsliterals._COMPILED.clear()
    assert hsliterals.LiteralScanner(["abc", "[xX]yz"]).ends(b"abc") == [(3, 0)]
    assert cached.read_bytes() != b"not a database"
