"""Person names: dictionary hits (first and last names, one Aho-Corasick pass) grown
into `First [M.] Last` spans. Rules of kind `names` decide with context whether a
span is reported (a `Name:` label, a salutation, a signature block, a name column).

Candidates:
- a capitalised first name followed, on the same line, by one or two capitalised words
  (a surname from the dictionary or any capitalised word, with an optional middle
  initial and particles such as `van`, `de`, `del`);
- a surname right after a title (`Mr.`, `Dr`, `Frau`, `Mme`, `Sra.` ...);
- a single first or last name that is the whole text of a table cell (the column
  header is its context).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import ahocorasick
import regex

FIRST = 1
LAST = 2

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


def _fold(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_name_token(token: str) -> bool:
    if not token[:1].isupper():
        return False
    rest = token[1:].replace("'", "").replace("’", "").replace("-", "")
    return rest.islower() or rest.isupper() or rest == ""


class NameMatcher:
    def __init__(self, first_names: Sequence[str], last_names: Sequence[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        kinds: dict[str, int] = {}
        for n in first_names:
            kinds[_fold(n)] = kinds.get(_fold(n), 0) | FIRST
        for n in last_names:
            kinds[_fold(n)] = kinds.get(_fold(n), 0) | LAST
        for key, kind in kinds.items():
            self._automaton.add_word(key, (len(key), kind))
        self._automaton.make_automaton()
        self._empty = not kinds

    def _hits(self, text: str) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for end_idx, (length, kind) in self._automaton.iter(_fold(text)):
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
        hits = self._hits(text)
        whole = text.strip()
        taken_until = -1
        for start, end, kind in sorted(hits):
            if start < taken_until:
                continue
            token = text[start:end]
            if kind & FIRST:
                m = _TAIL_RE.match(text, end)
                if m is not None:
                    tail_words = m.group(0).split()
                    if tail_words[-1].rstrip(".") not in _STOP:
                        taken_until = m.end()
                        yield start, m.end()
                        continue
            if kind & LAST and _TITLE_BEFORE_RE.search(text, max(0, start - 12), start):
                taken_until = end
                yield start, end
                continue
            if whole == token:
                taken_until = end
                yield start, end
