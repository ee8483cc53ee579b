"""Context words found with one automaton must be exactly what each rule's regex finds."""

from __future__ import annotations

import random

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.api import load_rules
from dataclass_scan.config import Config
from dataclass_scan.detect.words import SPECIAL_TEXT_CHARS, Vocabulary, WordSet, words_regex

WORD_LISTS = [
    ("ssn", "social security", "social security number", "ss#", "tax id", "id"),
    ("phone", "tel", "tel.", "mobile", "móvil", "teléfono"),
    ("número", "numéro de sécurité sociale", "n°", "nº"),
    ("date of birth", "dob", "d.o.b.", "born"),
    ("test", "example", "sample", "dummy"),
    ("a b", " x", "y ", "-", "?", "a?b"),
    ("주민등록번호", "身份证号", "ssn"),
]


def reference(words: tuple[str, ...], text: str) -> str | None:
    m = words_regex(words).search(text)  # type: ignore[union-attr]
    return m.group(0).lower() if m is not None else None


def fast(words: tuple[str, ...], text: str, vocabulary: Vocabulary | None = None) -> str | None:
    ws = WordSet(words)
    vocabulary = vocabulary or Vocabulary([ws])
    return ws.search(vocabulary.scan(text))


@pytest.mark.parametrize("words, text, want", [
    (WORD_LISTS[0], "SSN 536-22-8145", "ssn"),
    (WORD_LISTS[0], "Social Security Number: ", "social security number"),
    (WORD_LISTS[0], "social security numbers ", "social security"),  # longest fails: `s`
    (WORD_LISTS[0], "ssns and tax ids", None),
    (WORD_LISTS[0], "xssn", None),
    (WORD_LISTS[0], "ssn", "ssn"),  # at both ends of the text
    (WORD_LISTS[0], "my ss# is", "ss#"),
    (WORD_LISTS[0], "tax  id", "id"),  # two spaces: not "tax id"
    (WORD_LISTS[1], "Tel. +44", "tel."),
    (WORD_LISTS[1], "Móvil: 612", "móvil"),
    (WORD_LISTS[1], "teléfono", "teléfono"),
    (WORD_LISTS[1], "mobileé", None),  # é is a letter: no boundary
    (WORD_LISTS[1], "éphone", None),
    (WORD_LISTS[1], "’tel’", "tel"),
    (WORD_LISTS[2], "Numéro de sécurité sociale: 1", "numéro de sécurité sociale"),
    (WORD_LISTS[3], "Date of Birth | date of birth", "date of birth"),
    (WORD_LISTS[3], "D.O.B. 1990", "d.o.b."),
    (WORD_LISTS[5], "a b", "a b"),
    (WORD_LISTS[5], "é?", None),  # é is a letter
    (WORD_LISTS[5], "é ?", "?"),
    (WORD_LISTS[6], "주민등록번호 123", "주민등록번호"),
    (WORD_LISTS[0], "ſsn", "ſsn"),  # long s folds to s: the regex answers
    (WORD_LISTS[0], "İD", "i\u0307d"),  # İ matches i; lower-cased it is two characters
])
def test_same_word_as_the_regex(words, text, want):
    assert reference(words, text) == want
    assert fast(words, text) == want


_PIECES = ["ssn", "SSN", "social", "security", "number", "numbers", "tax", "id", "ID",
           "phone", "tel", "tel.", "móvil", "movil", "número", "numéro", "de", "sécurité",
           "sociale", "date", "of", "birth", "dob", "d.o.b.", "born", "test", "example",
           " ", " ", "  ", "\n", "\n\n", "-", "_", ".", ":", "?", "é", "’", "ſ", "K", "İ", "ı",
           "ß", "x", "1", "٣", "주민등록번호", "a", "b", "a b", "y", "|"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.sampled_from(range(len(WORD_LISTS))))
def test_random_texts_same_word_as_the_regex(parts, which):
    text = "".join(parts)
    words = WORD_LISTS[which]
    # One vocabulary for every list, as the engine builds it.
    vocabulary = Vocabulary([WordSet(w) for w in WORD_LISTS])
    assert fast(words, text, vocabulary) == reference(words, text), text


def test_builtin_word_lists_on_generated_windows():
    """Every keyword, negative and exclusion list of the built-in packs, over windows cut
    from text that holds their own words in every case and at every edge."""
    sets = {}
    for pack in load_rules(Config()):
        for rule in pack.rules:
            for words in (rule.context.keywords, rule.context.negative, rule.exclude.words):
                if words:
                    sets[words] = WordSet(words)
    vocabulary = Vocabulary(sets.values())
    all_words = sorted({w for words in sets for w in words})
    rng = random.Random(3)
    fillers = [" ", ": ", "\n", "_", "-", "x", "1", "é", "’", " | ", ""]
    for _ in range(1500):
        parts = []
        for _ in range(rng.randrange(1, 6)):
            w = rng.choice(all_words)
            w = rng.choice([w, w.upper(), w.title()])
            parts.append(w)
            parts.append(rng.choice(fillers))
        text = "".join(parts)
        lo = rng.randrange(0, max(1, len(text) // 3))
        window = text[lo:]
        scanned = vocabulary.scan(window)
        for words, ws in sets.items():
            assert ws.search(scanned) == reference(words, window), (words, window)


def test_special_text_chars_are_every_non_ascii_char_matching_ascii_without_case():
    chars = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    found = regex.compile(r"[\x00-\x7f]", regex.IGNORECASE).findall(chars)
    assert "".join(found) == SPECIAL_TEXT_CHARS


def test_lists_that_only_the_regex_can_answer():
    assert WordSet(("ssn", "")).regex_only  # an empty word matches everywhere
    assert WordSet(("\u212aey",)).regex_only  # the Kelvin sign matches k
    assert not WordSet(("ssn", "número")).regex_only
