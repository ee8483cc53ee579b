"""Context words (keywords, negative words, exclusion words) near a candidate.

The reference is a rule's word list compiled as one case-insensitive alternation, longest
word first, between letter/number boundaries (`words_regex`), searched in the text
around a candidate (and in the column header or JSON key): the leftmost match wins, at
one position the longest word, reported lower-cased.

Running those regexes cost more than everything else about a candidate (about 40 us
for the 80 person-name keywords on an 80-character window, for every candidate of
every rule). Here one Aho-Corasick automaton holds the words of every rule; one pass
over a window's text lists every occurrence of every word that has a boundary on both
sides (`Vocabulary.scan`, shared by every rule with a candidate on that span), and
each rule picks the first occurrence of one of its own words (`WordSet.search`). The
answer is the regex's, not an approximation:

- ASCII words against ASCII text: `regex` IGNORECASE equals lower-casing, and
  `[\\p{L}\\p{N}]` is `str.isalnum`. Non-ASCII text is folded with every non-ASCII
  character as `?`; an occurrence counts only where the text really holds the word.
- `SPECIAL_TEXT_CHARS` are the only non-ASCII characters `regex` matches with an ASCII
  letter under IGNORECASE (tests/test_words.py checks the list against all of
  Unicode); a text holding one is searched with the regexes.
- Non-ASCII words cannot match ASCII text (checked per word when the set is built); in
  non-ASCII text they are searched with a regex of those words alone, and the leftmost
  (then longest) of both answers is the alternation's answer, because whether a word
  matches at a position does not depend on the other words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex

SPECIAL_TEXT_CHARS = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin sign)
_LETTER_OR_NUMBER = regex.compile(r"[\p{L}\p{N}]")
_ASCII_NOCASE = regex.compile(r"[\x00-\x7f]", regex.IGNORECASE)

# One text's word occurrences: (start, end, folded word), sorted by start, longest first.
Occurrences = list[tuple[int, int, str]]


def words_regex(words: Sequence[str]) -> regex.Pattern[str] | None:
    """The reference: one case-insensitive alternation between letter/number boundaries."""
    if not words:
        return None
    alternation = "|".join(regex.escape(k) for k in sorted(words, key=len, reverse=True))
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:{alternation})(?![\p{{L}}\p{{N}}])", regex.I)


def _letter_or_number(ch: str) -> bool:
    return ch.isalnum() if ch < "\x80" else _LETTER_OR_NUMBER.match(ch) is not None


def _matches_ascii(word: str) -> bool:
    """Whether some non-ASCII character of a word can match an ASCII character."""
    return any(not ch.isascii() and _ASCII_NOCASE.match(ch) is not None for ch in word)


class ScannedText:
    """A text with the occurrences of every vocabulary word in it; `occurrences` is None
    when the text holds a character that only the regexes handle."""

    __slots__ = ("text", "ascii", "occurrences")

    def __init__(self, text: str, ascii_text: bool, occurrences: Occurrences | None) -> None:
        self.text = text
        self.ascii = ascii_text
        self.occurrences = occurrences


class WordSet:
    """One word list of one rule (keywords, negative words or exclusion words)."""

    __slots__ = ("words", "keys", "_regex", "_non_ascii_regex", "_non_ascii", "regex_only")

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        ascii_words = [w for w in self.words if w.isascii()]
        self.keys = frozenset(w.lower() for w in ascii_words)
        self._non_ascii = tuple(w for w in self.words if not w.isascii())
        # An empty word matches everywhere, and a non-ASCII word that can match ASCII
        # letters does not fold like the rest: the regex answers for such a list.
        self.regex_only = any(not w for w in self.words) or any(
            _matches_ascii(w) for w in self._non_ascii)
        self._regex: regex.Pattern[str] | None = None
        self._non_ascii_regex: regex.Pattern[str] | None = None

    @property
    def regex(self) -> regex.Pattern[str]:
        if self._regex is None:
            self._regex = words_regex(self.words)
        assert self._regex is not None
        return self._regex

    def search(self, scanned: ScannedText) -> str | None:
        """The word the reference regex finds in `scanned.text` (lower-cased), or None."""
        text = scanned.text
        found = scanned.occurrences
        if found is None or self.regex_only:
            m = self.regex.search(text)
            return m.group(0).lower() if m is not None else None
        keys = self.keys
        best: tuple[int, int] | None = None
        for start, end, key in found:
            if key in keys:
                best = (start, end)
                break
        if self._non_ascii and not scanned.ascii:
            if self._non_ascii_regex is None:
                self._non_ascii_regex = words_regex(self._non_ascii)
            assert self._non_ascii_regex is not None
            m = self._non_ascii_regex.search(text)
            if m is not None and (best is None or m.start() < best[0]
                                  or (m.start() == best[0] and m.end() > best[1])):
                best = m.span()
        return text[best[0]:best[1]].lower() if best is not None else None


class Vocabulary:
    """Every word of every word set, in one Aho-Corasick automaton."""

    def __init__(self, sets: Iterable[WordSet]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        keys = {k for s in sets for k in s.keys if k}
        for key in keys:
            self._automaton.add_word(key, key)
        self._empty = not keys
        if keys:
            self._automaton.make_automaton()

    def scan(self, text: str) -> ScannedText:
        ascii_text = text.isascii()
        if ascii_text:
            folded = text.lower()
        elif any(ch in text for ch in SPECIAL_TEXT_CHARS):
            return ScannedText(text, False, None)
        else:
            # One character for one: offsets stay those of `text`.
            folded = text.encode("ascii", "replace").decode("ascii").lower()
        found: Occurrences = []
        if self._empty:
            return ScannedText(text, ascii_text, found)
        n = len(text)
        if ascii_text:
            # The common case, once for every candidate span: `str.isalnum` is the
            # boundary test, inline (a function call per occurrence cost as much).
            for last, key in self._automaton.iter(folded):
                end = last + 1
                start = end - len(key)
                if (start > 0 and text[start - 1].isalnum()) or (
                        end < n and text[end].isalnum()):
                    continue
                found.append((start, end, key))
            if len(found) > 1:
                found.sort(key=_by_start_longest_first)
            return ScannedText(text, True, found)
        for last, key in self._automaton.iter(folded):
            end = last + 1
            start = end - len(key)
            if start > 0 and _letter_or_number(text[start - 1]):
                continue
            if end < n and _letter_or_number(text[end]):
                continue
            if not ascii_text and not text[start:end].isascii():
                continue  # a `?` standing for a non-ASCII character
            found.append((start, end, key))
        if len(found) > 1:
            found.sort(key=_by_start_longest_first)
        return ScannedText(text, ascii_text, found)


def _by_start_longest_first(o: tuple[int, int, str]) -> tuple[int, int]:
    return o[0], -o[1]
