"""Folding only where it matters: texts with non-ASCII characters are not lower-cased
whole (about 150 MB/s), so the shortcuts must say the same as the whole fold. These
tests check the facts about Unicode the shortcuts rest on, over every code point, and
the marker check against the whole fold on texts built to trip it. (The dictionary's
per-hit fold and the names' windows are compared with the whole fold in
test_hsliterals.py and test_names_equivalence.py, on texts with Σ, İ and the Kelvin sign.)"""

from __future__ import annotations

import random
import sys

import pytest

from dataclass_scan.detect import engine, names

NON_ASCII = [chr(c) for c in range(0x80, sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF]


def test_no_other_character_lowers_into_the_ignore_marker():
    marker = set("dataclass-scan")
    assert [c for c in NON_ASCII if marker & set(c.lower())] == []


def test_kelvin_sign_is_the_only_character_names_fold_to_ascii():
    assert [c for c in NON_ASCII if not names._fold(c).isascii()
            or names._fold(c) != c.lower()] != []  # (sanity: most fold to themselves)
    to_ascii = [c for c in NON_ASCII if any(ch.isascii() for ch in names._fold(c))]
    assert to_ascii == ["\u212a"]
    assert all(names._FOLDS_TO_ASCII_RE.fullmatch(c) for c in to_ascii)


PIECES = ["dataclass-scan", "DataClass-Scan", "DATACLASS-SCAN", "dataclaſs-scan",
          "data\u212alass", "dataclass–scan", "dataclass-sca", "İ", "Σ", "é", " ", "\n",
          "ignore", ":", "-", "s", "x"]


@pytest.mark.parametrize("seed", range(40))
def test_marker_check_says_what_the_whole_fold_says(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 30)))
    assert (engine._MARKER_WORD_RE.search(text) is not None) == (
        "dataclass-scan" in text.lower())
