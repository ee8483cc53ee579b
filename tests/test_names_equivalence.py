"""The person-name pass (detect/names.py) must find exactly what its first version found:
one case-insensitive Aho-Corasick pass of the folded dictionary over the folded text,
every hit checked in Python. That version is kept here, as written then, and compared
with the current one on random texts (name tokens in every capitalisation, titles,
punctuation, digits, `_`, `@`, non-ASCII letters that fold oddly) and on generated
prose, with the built-in dictionaries and with small ones holding non-ASCII names and
names with apostrophes, hyphens and spaces.

Every comparison runs twice when Hyperscan is installed: with the pure-Python pass and
with the native one (detect/hsliterals.py), which here serves texts of any length."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import ahocorasick
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.detect import hsliterals, names
from dataclass_scan.detect.names import NameMatcher
from dataclass_scan.detect.rulepack import load_terms_file
from fixtures import corpus, evalset

# -- the first version, kept as the reference ----------------------------------------

_TAIL_RE = regex.compile(
    r"(?:[ \t]+(?:\p{Lu}\.[ \t]*)?(?:(?:van|von|de|da|del|der|di|le|la|du|dos|das|ter|ten|bin)"
    r"[ \t]+)?\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?){1,2}"
)
_TITLE_BEFORE_RE = regex.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Señor|Señora|Don|Doña)"
    r"\.?|\bM\.)[ \t]+$"
)
_TITLE_NAME_RE = regex.compile(
    r"(?<![\w])(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Herr|Frau|Mme|Mlle|Sra|Srta|Señor|Señora)\.?[ \t]+"
    r"(?P<name>\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?(?:[ \t]+\p{Lu}[\p{Ll}'’]+)?)"
)
_STOP = frozenset({"The", "And", "Or", "Of", "In", "On", "At", "To", "For", "From", "With",
                   "Inc", "Ltd", "LLC", "GmbH", "Corp", "Street", "Road", "Avenue"})


def ref_fold(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_name_token(token: str) -> bool:
    if not token[:1].isupper():
        return False
    rest = token[1:].replace("'", "").replace("’", "").replace("-", "")
    return rest.islower() or rest.isupper() or rest == ""


class ReferenceMatcher:
    def __init__(self, first_names: Sequence[str], last_names: Sequence[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        kinds: dict[str, int] = {}
        for n in first_names:
            kinds[ref_fold(n)] = kinds.get(ref_fold(n), 0) | names.FIRST
        for n in last_names:
            kinds[ref_fold(n)] = kinds.get(ref_fold(n), 0) | names.LAST
        for key, kind in kinds.items():
            self._automaton.add_word(key, (len(key), kind))
        self._automaton.make_automaton()
        self._empty = not kinds

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for end_idx, (length, kind) in self._automaton.iter(ref_fold(text)):
            start, end = end_idx - length + 1, end_idx + 1
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if before.isalnum() or after.isalnum() or before in "_@" or after in "_@":
                continue
            if _is_name_token(text[start:end]) and text[start:end] not in _STOP:
                out.append((start, end, kind))
        return out

    def iter_spans(self, text: str) -> Iterator[tuple[int, int]]:
        if self._empty:
            return
        spans = list(self._dictionary_spans(text))
        for m in _TITLE_NAME_RE.finditer(text):
            start, end = m.span("name")
            if text[start:end].split()[-1] in _STOP:
                continue
            if not any(s <= start < e or start <= s < end for s, e in spans):
                spans.append((start, end))
        yield from sorted(spans)

    def _dictionary_spans(self, text: str) -> Iterator[tuple[int, int]]:
        hits = self.hits(text)
        whole = text.strip()
        taken_until = -1
        for start, end, kind in sorted(hits):
            if start < taken_until:
                continue
            token = text[start:end]
            if kind & names.FIRST:
                m = _TAIL_RE.match(text, end)
                if m is not None:
                    tail_words = m.group(0).split()
                    if tail_words[-1].rstrip(".") not in _STOP:
                        taken_until = m.end()
                        yield start, m.end()
                        continue
            if kind & names.LAST and _TITLE_BEFORE_RE.search(text, max(0, start - 12), start):
                taken_until = end
                yield start, end
                continue
            if whole == token:
                taken_until = end
                yield start, end


# -- comparison ----------------------------------------------------------------------


# The native pass is tried with every text here, not only long ones.
NATIVE = [False, True] if hsliterals.available() else [False]
pytestmark = pytest.mark.usefixtures("hyperscan_for_short_texts")


def assert_same(new: NameMatcher, ref: ReferenceMatcher, text: str) -> None:
    # The native pass reports only the hits that can start a span.
    if not ref._empty and new._native is None:  # (an empty automaton cannot search)
        assert sorted(new._hits(text)[0]) == sorted(ref.hits(text)), text
    assert list(new.iter_spans(text)) == list(ref.iter_spans(text)), text


DICTS = Path(__file__).resolve().parent.parent / "rules" / "dictionaries"


@pytest.fixture(scope="module", params=NATIVE, ids=lambda n: "hyperscan" if n else "python")
def builtin(request) -> tuple[NameMatcher, ReferenceMatcher]:
    first = load_terms_file(DICTS / "first-names.txt", None, "test", None)
    last = load_terms_file(DICTS / "last-names.txt", None, "test", None)
    return NameMatcher(first, last, native=request.param), ReferenceMatcher(first, last)


# Names with spellings that fold oddly: `kate` (KELVIN SIGN folds to k), `ſ` stays as it
# is (its lower case is itself), İ lowers to two characters, Σ to σ or a final ς.
FIRST = ["ann", "al", "ed", "maria", "kate", "jean-luc", "o'neil", "mary ann", "zoë",
         "josé", "σωκράτης", "İlker", "ılgın", "ſara", "and", "a", "r2d2", "Ñuño"]
LAST = ["lee", "garcia", "müller", "van", "smith", "o’brien", "öztürk", "oδυσσεας",
        "straße", "al", "the", "kowalski", "li", "ng", "o", "d'arc"]

# Tokens: names in many capitalisations, titles, particles, separators, letters that
# fold oddly, combining marks, stop words, digits.
PIECES = [
    " ", " ", " ", "  ", "\t", "\n", " \n", ",", ".", ". ", "'", "’", "-", "_", "@", "0", "7",
    ";", "(", ")", ":", "Mr", "Mr.", "Mrs", "Ms", "Dr", "Dr.", "Prof", "Herr", "Frau",
    "Mme", "Mlle", "Sr", "Sra", "Srta", "Señor", "Señora", "Don", "Doña", "M.", "Miss",
    "van", "de", "der", "la", "bin", "The", "And", "Inc", "Street", "Name:", "Dear",
    "É", "é", "ß", "ẞ", "İ", "ı", "ſ", "Σ", "σ", "ς", "\u212a", "\u212b", "\u0301", "Ö",
    "ö", "Ω", "ǅ", "Ⅻ", "٣", "x", "Q", "annual", "Also", "ALSO", "Edward", "Alan",
]


def _spellings(name: str) -> list[str]:
    title = name[:1].upper() + name[1:]
    return [name, title, name.upper(), name.title(), name.swapcase(), title + "s",
            "X" + title, title.replace("a", "á"), title.replace("k", "\u212a"),
            title.replace("K", "\u212a"), title.replace("s", "ſ"), title.replace("S", "Σ"),
            name.upper().replace("I", "İ"), title + "\u0301"]


TOKENS = sorted({s for n in FIRST + LAST for s in _spellings(n)} | set(PIECES))
token_texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
spaced_texts = st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)
any_texts = st.text(alphabet=st.sampled_from(
    sorted(set("".join(TOKENS)) | set("AaBbKkSsZz \n\t"))), max_size=60)
dictionaries = st.tuples(
    st.lists(st.sampled_from(FIRST + [n.upper() for n in FIRST]), max_size=8),
    st.lists(st.sampled_from(LAST), max_size=8))

# What goes between names: every kind of edge the checks look at.
GAPS = [" ", "  ", "\t", " \t", "\n", " \n", "\t\n", "@", "_", "0", "é", "É", "’", "'", "-",
        ".", ", ", "Mr ", "Mr. ", "Mr \n", "Mr\t\t", "Mrs.  ", "Dr ", "M. ", "Don ", "Doña ",
        "Señor ", "Señora\t", "Herr ", "xMr ", "@Mr ", "_Dr ", "Don\t\t", "Sr \t", "M.\t \n",
        "Doña  ", " van ", " van\t", "\tde\t", " la ", " A. ", " B.", "  ", "\u0301", "İ",
        "\u212a", "ſ", "Σ"]


@st.composite
def dictionary_and_text(draw: st.DrawFn, ascii_only: bool = False
                        ) -> tuple[list[str], list[str], str]:
    """A small dictionary, and a text made mostly of its own names, so that the names
    meet every kind of neighbour (only ASCII ones: ASCII text takes a shorter path)."""
    first = draw(st.lists(st.sampled_from(FIRST + [n.upper() for n in FIRST]), max_size=6))
    last = draw(st.lists(st.sampled_from(LAST), max_size=6))
    spellings = sorted({s for n in first + last or ["ann"] for s in _spellings(n)})
    pools = [spellings, GAPS, PIECES]
    if ascii_only:
        pools = [[p for p in pool if p.isascii()] or [" "] for pool in pools]
    piece = st.one_of(*(st.sampled_from(pool) for pool in pools))
    return first, last, "".join(draw(st.lists(piece, max_size=30)))


@pytest.mark.parametrize("native", NATIVE)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dictionaries, st.one_of(token_texts, spaced_texts, any_texts))
def test_same_spans_as_the_folded_pass(native, words, text):
    first, last = words
    assert_same(NameMatcher(first, last, native=native), ReferenceMatcher(first, last), text)


@pytest.mark.parametrize("native", NATIVE)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(dictionary_and_text(), dictionary_and_text(ascii_only=True)))
def test_same_spans_with_names_next_to_everything(native, case):
    first, last, text = case
    assert_same(NameMatcher(first, last, native=native), ReferenceMatcher(first, last), text)


@pytest.mark.parametrize("native", NATIVE)
@pytest.mark.parametrize("name", FIRST + LAST)
def test_same_spans_with_a_single_name(native, name):
    """A dictionary of one name (so it is also the longest), in every spelling, next to
    every neighbour: the windows around non-ASCII characters must reach its ends."""
    spellings = _spellings(name)
    dense = "".join(gap + spelling for gap in GAPS for spelling in spellings)
    spaced = "".join(" " + gap + spelling + tail for gap in GAPS for spelling in spellings
                     for tail in ("", "'", " Lee"))
    sparse = " and so on ".join(spellings)  # non-ASCII characters far apart
    ascii_pairs = [(gap, spelling) for gap in GAPS for spelling in spellings
                   if gap.isascii() and spelling.isascii()]
    plain_before = "".join(gap + spelling + " " for gap, spelling in ascii_pairs)
    plain_after = "".join(" " + spelling + gap for gap, spelling in ascii_pairs)
    alone = [spelling + end for spelling in spellings for end in ("", " ", "\n")]
    for first, last in (([name], []), ([], [name]), ([name], [name])):
        new, ref = NameMatcher(first, last, native=native), ReferenceMatcher(first, last)
        for text in [dense, spaced, sparse, plain_before, plain_after, *alone]:
            assert_same(new, ref, text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(token_texts, spaced_texts))
def test_same_spans_with_the_full_dictionaries(builtin, text):
    assert_same(*builtin, text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_texts, token_texts))
def test_fold_keeps_the_first_version(text):
    assert names._fold(text) == ref_fold(text)
    assert names._fold(text + "İ") == ref_fold(text + "İ")


def _named_prose(size: int, seed: int) -> str:
    """Prose with names the way people write them (evalset's names and labels)."""
    r = random.Random(seed)
    makers = [
        lambda: f"Name: {evalset._person(r)}",
        lambda: f"Dear Mr. {r.choice(evalset.LAST)},",
        lambda: f"Regards,\n{evalset._person(r)}\n",
        lambda: f"Dr {r.choice(evalset.FIRST)} van {r.choice(evalset.LAST)} met "
                f"Frau {r.choice(evalset.LAST)}.",
        lambda: f"{r.choice(evalset.FIRST).upper()} {r.choice(evalset.LAST).upper()}",
        lambda: r.choice(evalset.FILLER),
        lambda: " ".join(r.choice(corpus.WORDS) for _ in range(12)),
    ]
    out: list[str] = []
    total = 0
    while total < size:
        piece = r.choice(makers)()
        out.append(piece)
        total += len(piece) + 1
    return " ".join(out)


def _accented(text: str, seed: int) -> str:
    """The same prose with every seventh word swapped for one in another script."""
    r = random.Random(seed)
    words = ["Straße", "Müller", "İstanbul", "ŞİRKET", "ſtraße", "Ελλάδα", "ΟΔΥΣΣΕΑΣ",
             "Zoë", "José", "MARÍA", "Karen’s", "\u212aate", "Ann\u0301", "Öztürk"]
    parts = text.split(" ")
    for i in range(0, len(parts), 7):
        parts[i] = r.choice(words)
    return " ".join(parts)


@pytest.mark.parametrize("seed", range(3))
def test_same_spans_on_generated_prose(builtin, seed):
    plain = corpus.prose(150_000, seed=seed)
    named = _named_prose(60_000, seed)
    for text in (plain, named, _accented(plain, seed), _accented(named, seed)):
        assert_same(*builtin, text)
    assert len(list(builtin[0].iter_spans(named))) > 500  # the texts do hold names


@pytest.mark.parametrize("native", NATIVE)
def test_same_spans_with_names_outside_ascii(native):
    new, ref = NameMatcher(FIRST, LAST, native=native), ReferenceMatcher(FIRST, LAST)
    text = _accented(_named_prose(30_000, 5), 5) + (
        " Zoë Smith, ZOË, Mr Öztürk, Herr Müller, Σωκράτης Lee, ΣΩΚΡΆΤΗΣ, İlker Ng, "
        "Mary Ann Lee, Jean-Luc Garcia, O'Neil, O’Brien, \u212aate Li, Sara Lee, STRASSE")
    assert_same(new, ref, text)
    assert len(list(new.iter_spans(text))) > 10


@pytest.mark.parametrize("native", NATIVE)
def test_a_final_sigma_decided_past_any_window(native):
    """str.lower makes Σ a final ς by what follows it, past any run of combining marks:
    further than a window around the non-ASCII letters reaches. Folding only windows
    would find ΣΩΚΡΆΤΗΣ here; the whole text lowers it to σωκράτησ, no name."""
    new, ref = NameMatcher(["σωκράτης"], ["lee"], native=native), \
        ReferenceMatcher(["σωκράτης"], ["lee"])
    for marks in (0, 3, 12, 40):
        for after in ("A", " ", "", "Lee"):
            text = "Mr ΣΩΚΡΆΤΗΣ" + "\u0301" * marks + after + " and Ann Lee."
            assert_same(new, ref, text)
