"""Person names: dictionary hits (first and last names) grown
into `First [M.] Last` spans. Rules of kind `names` decide with context whether a
span is reported (a `Name:` label, a salutation, a signature block, a name column).

Candidates:
- a capitalised first name followed, on the same line, by one or two capitalised words
  (a surname from the dictionary or any capitalised word, with an optional middle
  initial and particles such as `van`, `de`, `del`);
- a surname right after a title (`Mr.`, `Dr`, `Frau`, `Mme`, `Sra.` ...);
- a single first or last name that is the whole text of a table cell (the column
  header is its context).

Why the pass is cheap: a dictionary hit counts only when its token stands alone (no
letter, digit, `_` or `@` on either side) and is capitalised: first character upper
case, the rest all lower or all upper case. Matching the folded dictionary against the
folded text, as the first version did, finds every short name inside ordinary words
(`ann` in `annual`, `al` in `also`), half a million per 4 MB of prose, each rejected in
Python. Instead, keys are split three ways:
- keys of ASCII letters (all the built-in ones): one regex pass finds every capitalised
  word of ASCII letters, and a dict holding the only two spellings that can pass
  (`Ann`, `ANN`) says which are names; the same pass notes where titles start, so the
  `Mr. Name` regex is tried only there;
- other ASCII keys (`o'neil`, `mary ann`): those two spellings in an Aho-Corasick
  automaton over the original text;
- tokens with a non-ASCII character (`Zoë`, `ÖZTÜRK`, a Kelvin sign that folds to `k`):
  the folded dictionary over the folded text, as before, but only in windows around
  the characters that can be part of a key.
Every hit still passes the same checks, so the hits are exactly those of one folded
pass over the whole text; the first version is kept in tests/test_names_equivalence.py
and compared. Cheap character tests then skip the tail and title regexes where they
cannot match.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence

import ahocorasick
import regex

from dataclass_scan.detect import hsliterals

FIRST = 1
LAST = 2

_PARTICLES = ("van", "von", "de", "da", "del", "der", "di", "le", "la", "du", "dos", "das", "ter",
              "ten", "bin")
_TAIL_RE = regex.compile(
    r"(?:[ \t]+(?:\p{Lu}\.[ \t]*)?(?:(?:" + "|".join(_PARTICLES) + r")"
    r"[ \t]+)?\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?){1,2}"
)
# Titles before a surname, and before any capitalised name.
_TITLES_BEFORE = ("Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Herr", "Frau", "Mme", "Mlle",
                  "Sr", "Sra", "Srta", "Señor", "Señora", "Don", "Doña")
_TITLES = ("Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Herr", "Frau", "Mme", "Mlle", "Sra",
           "Srta", "Señor", "Señora")
_TITLE_BEFORE_RE = regex.compile(
    r"(?:\b(?:" + "|".join(_TITLES_BEFORE) + r")\.?|\bM\.)[ \t]+$"
)
_TITLE_NAME_RE = regex.compile(
    r"(?<![\w])(?:" + "|".join(_TITLES) + r")\.?[ \t]+"
    r"(?P<name>\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?(?:[ \t]+\p{Lu}[\p{Ll}'’]+)?)"
)
# What the text before `[ \t]+$` must end with for _TITLE_BEFORE_RE to match, and the
# last two characters of those endings.
_TITLE_BEFORE_ENDS = _TITLES_BEFORE + tuple(t + "." for t in _TITLES_BEFORE) + ("M.",)
_NEAR_TITLE = frozenset(t[-2:] for t in _TITLE_BEFORE_ENDS)
_BLANK = (" ", "\t")
# Every maximal run of ASCII letters that starts with a capital, with no ASCII digit or
# `_` before it and none or `@` after it. Dictionary names in ASCII letters that stand
# alone are such runs, and so is the start of every _TITLE_NAME_RE match: an ASCII
# title, or `Se` of `Señor`/`Señora` (no title can start inside another: each has one
# capital, first).
_WORD_RE = regex.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Za-z]*+(?![0-9_@])")
_TITLE_RUNS = frozenset(regex.match(r"[A-Za-z]*", t).group() for t in _TITLES)
# After the first blank, a _TAIL_RE match goes on with a blank, a capital or a particle.
_TAIL_NEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ \t") | {p[0] for p in _PARTICLES}
_PARTICLES_BLANK = tuple(p + b for p in _PARTICLES for b in " \t")
_LETTERS_RE = regex.compile(r"[a-z]+")
_NON_ASCII_RE = regex.compile(r"[^\x00-\x7f]+")
# The non-ASCII characters _fold turns into ASCII ones (tests/test_fold_windows.py checks
# every code point): KELVIN SIGN to k. (U+0130 lowers to i and a combining dot: it stays.)
_FOLDS_TO_ASCII_RE = regex.compile("[\u212a]")
# What _WORD_RE's look-behind rules out before a word, and its run and look-ahead after.
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_WORD_CHARS_AT = _WORD_CHARS | {"@"}
# Roles of the literals Hyperscan looks for (NameMatcher._native_hits).
_THEN_BLANK, _TITLE_RUN, _TITLE_BEFORE = 1, 2, 3
_STOP = frozenset({"The", "And", "Or", "Of", "In", "On", "At", "To", "For", "From", "With",
                   "Inc", "Ltd", "LLC", "GmbH", "Corp", "Street", "Road", "Avenue"})


def _fold(text: str) -> str:
    """Lower case with the same length as `text`, so offsets carry over."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A character lowers to more than one (U+0130 İ to i + combining dot): such characters
    # stay as they are and every other one is lowered on its own (so Σ gives σ, never the
    # final ς). U+0130 is the only one in Unicode so far, so split on it.
    return "İ".join(_fold_each(piece) for piece in text.split("İ"))


def _fold_each(text: str) -> str:
    """Each character lowered alone, or kept when it lowers to more than one."""
    # With Σ made σ first, str.lower has no context left (the final sigma is CPython's
    # only context rule) and lowers character by character, in C.
    lowered = text.replace("Σ", "σ").lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_name_token(token: str) -> bool:
    if not token[:1].isupper():
        return False
    rest = token[1:].replace("'", "").replace("’", "").replace("-", "")
    return rest.islower() or rest.isupper() or rest == ""


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No letter, digit, `_` or `@` right before or after text[start:end]."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum() or before in "_@" or after in "_@")


def _automaton(words: Iterable[tuple[str, tuple[int, int]]]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for word, value in words:
        automaton.add_word(word, value)
    if len(automaton) == 0:
        return None  # an empty automaton cannot search
    automaton.make_automaton()
    return automaton


def _kinds(first_names: Sequence[str], last_names: Sequence[str]) -> dict[str, int]:
    """Every name folded, with whether it is a first name, a last name or both."""
    kinds: dict[str, int] = {}
    for n in first_names:
        key = _fold(n)
        kinds[key] = kinds.get(key, 0) | FIRST
    for n in last_names:
        key = _fold(n)
        kinds[key] = kinds.get(key, 0) | LAST
    return kinds


# (no names at all, capitalised ASCII words, other ASCII spellings, the non-ASCII
# characters of the folded keys, the longest key)
_Tables = tuple[bool, dict[str, int], dict[str, tuple[int, int]], list[str], int]


def _tables(first_names: Sequence[str], last_names: Sequence[str]) -> _Tables:
    kinds = _kinds(first_names, last_names)
    # ASCII keys as `Title` and `UPPER`: an ASCII token that passes _is_name_token is
    # one of these two (its letters after the first are all lower or all upper case,
    # and ASCII case mapping is one to one), so no other spelling needs looking for;
    # spellings that cannot pass, or are stop words, are left out here already.
    # Keys of letters only (all the built-in ones) are looked up by the whole word:
    # a hit with no letter on either side is a run that _WORD_RE finds. Other ASCII
    # keys (`o'neil`, `mary ann`) go into an automaton over the original text.
    words: dict[str, int] = {}
    cased: dict[str, tuple[int, int]] = {}
    for key, kind in kinds.items():
        if not key.isascii():
            continue
        if _LETTERS_RE.fullmatch(key):
            # Both spellings of lower-case letters pass _is_name_token.
            for form in (key[:1].upper() + key[1:], key.upper()):
                if form not in _STOP:
                    words[form] = kind
            continue
        for form in (key[:1].upper() + key[1:], key.upper()):
            if _is_name_token(form) and form not in _STOP:
                cased[form] = (len(key), kind)
    # Non-ASCII characters of the folded keys: a token with a non-ASCII character can
    # only be a hit where the folded text has one of them (or see _folded_windows).
    wide = sorted({ch for key in kinds if not key.isascii() for ch in key if not ch.isascii()})
    return not kinds, words, cased, wide, max(map(len, kinds), default=0)


def _stored_tables(first_names: Sequence[str], last_names: Sequence[str]) -> _Tables:
    """`_tables`, from the start-up cache (detect/startcache.py) when these dictionaries
    were seen before: deriving them from the built-in dictionaries took a fifth of the
    start-up of a one-file scan."""
    from dataclass_scan.detect import startcache

    key = startcache.digest("\n".join(first_names), "\n".join(last_names))
    name = "names-" + key[:32]
    stored = startcache.get(name, key)
    if isinstance(stored, tuple) and len(stored) == 5:
        return stored
    tables = _tables(first_names, last_names)
    startcache.put(name, key, tables)
    return tables


class _Deferred:
    """The folded dictionary's automaton, built on its first search: it serves only
    texts with a non-ASCII character, which many scans never meet."""

    __slots__ = ("_first", "_last", "_automaton", "_built")

    def __init__(self, first_names: Sequence[str], last_names: Sequence[str]) -> None:
        self._first, self._last = first_names, last_names
        self._automaton: ahocorasick.Automaton | None = None
        self._built = False

    def iter(self, text: str, start: int, end: int) -> Iterator[tuple[int, tuple[int, int]]]:
        if not self._built:
            kinds = _kinds(self._first, self._last)
            self._automaton = _automaton((key, (len(key), kind)) for key, kind in kinds.items())
            self._built = True
        if self._automaton is None:
            return iter(())
        return self._automaton.iter(text, start, end)  # type: ignore[no-any-return]


class _NativeLiterals:
    """A name matcher's hsliterals.LiteralScanner, its literals listed on the first
    search: only texts of hsliterals.MIN_TEXT characters use it, and listing 20,000 of
    them cost a one-file scan more than its names pass."""

    __slots__ = ("_matcher", "_scanner")

    def __init__(self, matcher: NameMatcher) -> None:
        self._matcher = matcher
        self._scanner: hsliterals.LiteralScanner | None = None

    def ends(self, data: bytes) -> list[tuple[int, int]] | None:
        if self._scanner is None:
            self._scanner = hsliterals.LiteralScanner(self._matcher._native_literals())
        return self._scanner.ends(data)


class NameMatcher:
    def __init__(self, first_names: Sequence[str], last_names: Sequence[str], *,
                 native: bool = False, cache: bool = False) -> None:
        """`cache`: keep the derived tables in the start-up cache; for dictionaries that
        ship with the tool (a user's own name lists are not copied there)."""
        empty, self._words, cased, wide, self._longest = (
            _stored_tables if cache else _tables)(first_names, last_names)
        self._empty = empty
        # The whole dictionary, folded: for tokens with a non-ASCII character.
        self._folded = None if empty else _Deferred(first_names, last_names)
        self._cased = _automaton(cased.items())
        # One look-up per capitalised word: (kind or 0, whether a title may start there).
        self._capitalised = {word: (kind, False) for word, kind in self._words.items()}
        for word in _TITLE_RUNS:
            self._capitalised[word] = (self._words.get(word, 0), True)
        self._wide_re = regex.compile("(?:" + "|".join(map(regex.escape, wide)) + ")+") \
            if wide else None
        # With Hyperscan, a large text's capitalised words come from one native pass of
        # plain literals (detect/hsliterals.py; literals compile in a second where word
        # boundaries took a minute), and only the hits _dictionary_spans can use: a first
        # name with a blank after it, a surname after a title, and titles. Each literal:
        # (word, role).
        # (Listed on the first large text: _NativeLiterals.)
        self._native_roles: list[tuple[str, int]] = []
        self._native = _NativeLiterals(self) if native and not self._empty else None

    def _native_literals(self) -> list[str]:
        """The literals' expressions; their (word, role) go to _native_roles."""
        exprs: list[str] = []
        blanks = [hsliterals.literal(blank) for blank in _BLANK]
        for word, (kind, _) in self._capitalised.items():
            if kind & FIRST:  # (a word of ASCII letters: its own expression)
                for blank in blanks:
                    exprs.append(word + blank)
                    self._native_roles.append((word, _THEN_BLANK))
        for word in sorted(_TITLE_RUNS):
            exprs.append(hsliterals.literal(word))
            self._native_roles.append((word, _TITLE_RUN))
        for word in sorted(set(_TITLES_BEFORE) | {"M."}):
            exprs.append(hsliterals.literal(word))
            self._native_roles.append((word, _TITLE_BEFORE))
        return exprs

    def _hits(self, text: str) -> tuple[list[tuple[int, int, int]], list[int]]:
        """(start, end, kind) of each capitalised dictionary name standing alone, and
        where a title (for _TITLE_NAME_RE) may start."""
        out: list[tuple[int, int, int]] = []
        titles: list[int] = []
        lookup = self._capitalised.get
        # In ASCII text _WORD_RE has checked all but an `@` before (it lets that through
        # for titles).
        ascii_text = text.isascii()
        ends = None
        # A text that is one name alone (_dictionary_spans' last case) is a short one.
        if (self._native is not None and len(text) >= hsliterals.MIN_TEXT
                and len(text.strip()) > self._longest):
            ends = self._native.ends(hsliterals.stand_in_bytes(text))
        if ends is not None:
            out = self._native_hits(text, ends, titles)
        else:
            for m in _WORD_RE.finditer(text):
                found = lookup(m[0])
                if found is None:
                    continue
                kind, title = found
                start, end = m.span()
                if kind and (text[start - 1:start] != "@" if ascii_text
                             else _stands_alone(text, start, end)):
                    out.append((start, end, kind))
                if title:
                    titles.append(start)
        if self._cased is not None:
            for end_idx, (length, kind) in self._cased.iter(text):
                start, end = end_idx - length + 1, end_idx + 1
                if _stands_alone(text, start, end):
                    out.append((start, end, kind))
        if self._folded is not None and not text.isascii():
            for lo, folded in self._folded_windows(text):
                for end_idx, (length, kind) in self._folded.iter(folded, 0, len(folded)):
                    start, end = lo + end_idx - length + 1, lo + end_idx + 1
                    token = text[start:end]
                    # ASCII tokens were all found above.
                    if (not token.isascii() and _stands_alone(text, start, end)
                            and _is_name_token(token) and token not in _STOP):
                        out.append((start, end, kind))
        return out, titles

    def _native_hits(self, text: str, ends: list[tuple[int, int]], titles: list[int]
                     ) -> list[tuple[int, int, int]]:
        """_hits' ASCII-word part from the literals Hyperscan reported: every hit that
        _dictionary_spans can turn into a span, and (into `titles`) every title.

        A hit missing here is one it would drop: a first name needs a blank after it
        (for a tail), a surname a title before it (`Title[.][ \\t]+[\\n]`, see
        _may_follow_title), and a name alone in the text needs a short text, which
        never comes here. Each hit gets the same checks as in _hits."""
        out: list[tuple[int, int, int]] = []
        seen: set[int] = set()  # a first and last name after a title: one hit
        ascii_text = text.isascii()
        capitalised = self._capitalised
        for end, index in sorted(ends):  # (reported by end already: sorting is linear)
            word, role = self._native_roles[index]
            if role == _THEN_BLANK:
                end -= 1
            start = end - len(word)
            if role == _TITLE_BEFORE:
                # The word right after the title, its optional `.` and blanks.
                at = end + (text[end:end + 1] == ".")
                after = at
                while text[after:after + 1] in _BLANK:
                    after += 1
                if after == at:
                    continue
                m = _WORD_RE.match(text, after + (text[after:after + 1] == "\n"))
                if m is None:
                    continue
                kind = capitalised.get(m[0], (0, False))[0]
                if not kind & LAST:
                    continue
                start, end = m.span()
            # _WORD_RE's look-behind, and for a title its maximal run and look-ahead.
            elif text[start - 1:start] in _WORD_CHARS or (
                    role == _TITLE_RUN and text[end:end + 1] in _WORD_CHARS_AT):
                continue
            elif role == _TITLE_RUN:
                titles.append(start)
                continue
            else:
                kind = capitalised[word][0]
            if start not in seen and (text[start - 1:start] != "@" if ascii_text
                                      else _stands_alone(text, start, end)):
                seen.add(start)
                out.append((start, end, kind))
        return out

    def _folded_windows(self, text: str) -> list[tuple[int, str]]:
        """Where a dictionary key can match a token that holds a non-ASCII character:
        (offset, _fold(text) from that offset on, for the window's length).

        Lower-casing a whole text with non-ASCII characters in it runs at about 150 MB/s,
        so only the windows are folded. That gives the same characters: _fold lowers
        each character on its own (one that lowers to more than one stays), except that
        str.lower makes a final Σ a ς, which depends on its neighbours; a text with a Σ
        in it is searched whole, as is one where a non-ASCII character folds to ASCII
        (KELVIN SIGN to k). Both are rare; a search of the whole text finds the same
        names, the windows only say where the others can be."""
        if "Σ" in text or _FOLDS_TO_ASCII_RE.search(text) is not None:
            return [(0, _fold(text))]
        if self._wide_re is None:
            return []
        # A key holding folded[p] lies within its own length of p; a non-ASCII folded
        # character comes from a non-ASCII one, so only runs of those are folded first.
        reach = self._longest - 1
        windows: list[tuple[int, int]] = []
        for run in _NON_ASCII_RE.finditer(text):
            for m in self._wide_re.finditer(_fold(run[0])):
                lo = max(0, run.start() + m.start() - reach)
                hi = min(len(text), run.start() + m.end() + reach)
                if windows and lo <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], hi)
                else:
                    windows.append((lo, hi))
        return [(lo, _fold(text[lo:hi])) for lo, hi in windows]

    def iter_spans(self, text: str) -> Iterator[tuple[int, int]]:
        if self._empty:
            return
        hits, titles = self._hits(text)
        spans = list(self._dictionary_spans(text, hits))
        # Those spans are sorted and do not overlap, so the one that ends last among those
        # starting before a title's name is the only one that can overlap it. (Names after
        # titles never overlap each other: they come from separate matches.)
        starts = [s for s, _ in spans]
        titled: list[tuple[int, int]] = []
        for m in _title_names(text, titles):
            start, end = m.span("name")
            if text[start:end].split()[-1] in _STOP:
                continue
            i = bisect.bisect_left(starts, end)
            if not (i and spans[i - 1][1] > start):
                titled.append((start, end))
        yield from sorted(spans + titled)

    def _dictionary_spans(self, text: str, hits: list[tuple[int, int, int]]
                          ) -> Iterator[tuple[int, int]]:
        whole = text.strip()
        whole_len = len(whole)
        taken_until = -1
        for start, end, kind in sorted(hits):
            if start < taken_until:
                continue
            # Cheap character tests first rule out most hits in prose (`Paris and`,
            # `Berlin,`) before a regex is tried; they only say where one cannot match.
            if kind & FIRST and text[end:end + 1] in _BLANK and _may_have_tail(text, end):
                m = _TAIL_RE.match(text, end)
                if m is not None:
                    tail_words = m.group(0).split()
                    if tail_words[-1].rstrip(".") not in _STOP:
                        taken_until = m.end()
                        yield start, m.end()
                        continue
            # The two characters before the one blank before a name end a title, or the
            # second of them is a blank too (more blanks, or blanks and a newline).
            if (kind & LAST and (text[start - 3:start - 1] in _NEAR_TITLE
                                 or text[start - 2:start - 1] in _BLANK)
                    and _may_follow_title(text, start)
                    and _TITLE_BEFORE_RE.search(text, max(0, start - 12), start)):
                taken_until = end
                yield start, end
                continue
            if end - start == whole_len and whole == text[start:end]:
                taken_until = end
                yield start, end


def _title_names(text: str, starts: list[int]) -> Iterator[regex.Match[str]]:
    """_TITLE_NAME_RE.finditer(text), given every position where a match may start."""
    pos = 0
    for at in starts:
        if at >= pos:
            m = _TITLE_NAME_RE.match(text, at)
            if m is not None:
                yield m
                pos = m.end()


def _may_have_tail(text: str, end: int) -> bool:
    """False where _TAIL_RE cannot match at `end`: it needs blanks, then a capital or a
    particle and a blank (any non-ASCII character may be a capital)."""
    c = text[end + 1:end + 2]
    if text[end:end + 1] not in _BLANK or not (c in _TAIL_NEXT or not c.isascii()):
        return False  # the usual case, decided without a loop
    if "a" <= c <= "z":  # only a particle and a blank can follow
        return text.startswith(_PARTICLES_BLANK, end + 1)
    i = end + 1
    while i < len(text) and text[i] in " \t":
        i += 1
    c = text[i:i + 1]
    return c != "" and (not c.isascii() or c in _TAIL_NEXT)


def _may_follow_title(text: str, start: int) -> bool:
    """False where _TITLE_BEFORE_RE cannot match text[start-12:start]: it needs a title
    (or `M.`) and blanks right at the end, or right before a final newline."""
    lo = max(0, start - 12)
    j = start - 1 if text[start - 1:start] == "\n" else start
    k = j
    while k > lo and text[k - 1] in " \t":
        k -= 1
    return k < j and text.endswith(_TITLE_BEFORE_ENDS, lo, k)
