"""JSON and NDJSON (JSON Lines): one segment per scalar, located by JSON pointer
(`data.json:/customers/0/ssn`; `log.ndjson:line 7:/user/email`); the key travels as
context. A `.json` file that holds one document per line is read as NDJSON."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from dataclass_scan.errors import ExtractionError
from dataclass_scan.extract import ExtractContext, stream
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def walk(value: Any, pointer: str = "", key: str = "", line: int | None = None
         ) -> Iterator[Segment]:
    stack: list[tuple[Any, str, str]] = [(value, pointer, key)]
    while stack:
        node, ptr, k = stack.pop()
        if isinstance(node, dict):
            for name, child in reversed(list(node.items())):
                stack.append((child, f"{ptr}/{_escape(str(name))}", str(name)))
                # Keys can be sensitive too (e.g. an email used as a map key).
                if any(ch.isdigit() or ch == "@" for ch in str(name)):
                    stack.append((str(name), f"{ptr}/{_escape(str(name))}", "(key)"))
        elif isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], f"{ptr}/{i}", k))
        elif isinstance(node, (str, int, float)) and not isinstance(node, bool):
            text = str(node)
            if text.strip():
                yield Segment(text=text, location=Location(line=line, part=ptr or "/"),
                              context=k)


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    text = read_text(item, ctx)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip()[:1] in ("{", "["):
            documents = _concatenated(text)
            if documents is not None:
                for line, value in documents:
                    yield from walk(value, line=line)
                return
            yield from _lines(text, ctx)
            return
        raise ExtractionError(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ExtractionError("JSON nested too deeply") from None
    yield from walk(data)


def _concatenated(text: str) -> list[tuple[int, Any]] | None:
    """Documents one after another (NDJSON, or pretty-printed objects back to back), each
    with the line it starts on; None if any part is not valid JSON."""
    decoder = json.JSONDecoder()
    out: list[tuple[int, Any]] = []
    pos, line, size = 0, 1, len(text)
    while True:
        start = pos
        while pos < size and text[pos] in " \t\r\n":
            pos += 1
        line += text.count("\n", start, pos)
        if pos >= size:
            return out
        try:
            value, end = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            return None
        out.append((line, value))
        line += text.count("\n", pos, end)
        pos = end


def _lines(text: str, ctx: ExtractContext) -> Iterator[Segment]:
    yield from _read_lines(stream.LineReader(io.StringIO(text, newline="")), ctx)


def _read_lines(lines: stream.LineReader, ctx: ExtractContext) -> Iterator[Segment]:
    """One JSON document per physical line (`\\n`, `\\r\\n` or `\\r`: a U+2028 or a form
    feed inside a string is not a line break), each walked as it is read."""
    bad = 0
    while line := lines.readline():
        number = lines.number + 1 if lines.over(line) else lines.number
        if lines.over(line):
            # Longer than the limit (streamed files only): scanned as text in
            # overlapping chunks, like a line that is not JSON, without parsing it.
            yield from stream.chunk_pieces(lines.rest(line), number, 1)
            continue
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            bad += 1
            # Keep the text: a broken line may still hold something sensitive.
            yield Segment(text=line, location=Location(line=number), track_lines=True)
            continue
        yield from walk(value, line=number)
    if bad:
        ctx.warn(f"{bad} line(s) are not valid JSON (scanned as text)")


def extract_lines(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    if item.size > stream.STREAM_THRESHOLD:
        # Large: one line at a time from a decoded stream, so memory stays bounded.
        encoding, nul_to_space = stream.file_encoding(item)
        with stream.open_text(item, ctx, encoding, nul_to_space) as fh:
            yield from _read_lines(stream.LineReader(fh, stream.LINE_CHARS), ctx)
        return
    yield from _lines(read_text(item, ctx), ctx)
