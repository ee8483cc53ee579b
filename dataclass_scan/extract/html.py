"""HTML: the text a reader sees (scripts, styles and markup dropped) plus the attribute
values people type or read (alt, title, value, placeholder, content), located by the
line and column of the source."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment

_HIDDEN = frozenset({"script", "style", "template", "noscript"})
_ATTRS = frozenset({"alt", "title", "value", "placeholder", "content", "href"})


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[Segment] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        line, col = self.getpos()
        for name, value in attrs:
            if name in _ATTRS and value and value.strip():
                if name == "href" and not value.startswith("mailto:"):
                    continue
                self.out.append(Segment(text=value, location=Location(line=line, column=col + 1),
                                        context=f"{tag} {name}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.hidden or not data.strip():
            return
        line, col = self.getpos()
        self.out.append(Segment(text=data, location=Location(line=line, column=col + 1),
                                track_lines=True))


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    text = read_text(item, ctx)
    parser = _Visible()
    # Feed in slices so segments stream out of large pages.
    step = 256 * 1024
    for start in range(0, len(text), step):
        parser.feed(text[start:start + step])
        yield from parser.out
        parser.out.clear()
    parser.close()
    yield from parser.out
