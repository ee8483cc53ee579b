"""XML: element text and attribute values, located by line and element path
(`/customers/customer[2]/ssn`); the element or attribute name travels as context.
Entity declarations are refused (no billion-laughs, no external entities)."""

from __future__ import annotations

from collections.abc import Iterator
from xml.parsers import expat

from dataclass_scan.errors import ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_upto
from dataclass_scan.model import Item, Location, Segment


class _Refused(Exception):
    pass


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit("}", 1)[-1]


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    with item.open() as fh:
        data = read_upto(fh, ctx.max_bytes + 1, item.size)
    if len(data) > ctx.max_bytes:
        ctx.warn(f"only the first {ctx.max_bytes} bytes were read")
        data = data[: ctx.max_bytes]
    out: list[Segment] = []
    stack: list[tuple[str, dict[str, int]]] = [("", {})]
    path: list[str] = []
    text: list[str] = []
    text_line = [0, 0]

    parser = expat.ParserCreate(namespace_separator=" ")

    def flush() -> None:
        joined = "".join(text)
        if joined.strip():
            where = "/" + "/".join(path) if path else "/"
            out.append(Segment(
                text=joined,
                location=Location(line=text_line[0], column=text_line[1] + 1, part=where),
                context=path[-1].split("[")[0] if path else "", track_lines=True))
        text.clear()

    def start(name: str, attrs: dict[str, str]) -> None:
        flush()
        tag = _local(name)
        counts = stack[-1][1]
        counts[tag] = counts.get(tag, 0) + 1
        step = tag if counts[tag] == 1 else f"{tag}[{counts[tag]}]"
        path.append(step)
        stack.append((tag, {}))
        for key, value in attrs.items():
            if value.strip():
                out.append(Segment(text=value, location=Location(
                    line=parser.CurrentLineNumber, part="/" + "/".join(path) + f"/@{_local(key)}"),
                    context=_local(key)))

    def end(name: str) -> None:
        flush()
        path.pop()
        stack.pop()

    def chars(data: str) -> None:
        if not text:
            text_line[0] = parser.CurrentLineNumber
            text_line[1] = parser.CurrentColumnNumber
        text.append(data)

    def refuse(*_args: object) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    step = 256 * 1024
    try:
        for offset in range(0, len(data), step):
            parser.Parse(data[offset:offset + step], False)
            yield from out
            out.clear()
        parser.Parse(b"", True)
    except _Refused:
        raise ExtractionError("XML declares entities: refused (possible entity bomb)") from None
    except expat.ExpatError as exc:
        yield from out
        raise ExtractionError(f"invalid XML: {expat.ErrorString(exc.code)} at line "
                              f"{exc.lineno}") from None
    yield from out
