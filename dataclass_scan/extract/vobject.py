"""vCard (.vcf) and iCalendar (.ics): one segment per property value, located by the
source line and the card or component (`card 2`, `VEVENT 1`); the property name (EMAIL,
TEL, BDAY, ATTENDEE, ...) travels as context."""

from __future__ import annotations

from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment

_CONTEXT = {"TEL": "phone", "BDAY": "date of birth birthday", "ADR": "address",
            "FN": "name", "N": "name", "EMAIL": "email"}


def _unfolded(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines with the number of their first physical line (RFC 6350 folding)."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and current:
            current.append(raw[1:])
            continue
        if current:
            yield start, "".join(current)
        current, start = [raw], number
    if current:
        yield start, "".join(current)


def _unescape(value: str) -> str:
    return (value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",")
            .replace("\\;", ";").replace("\\\\", "\\"))


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    text = read_text(item, ctx)
    counts: dict[str, int] = {}
    stack: list[str] = []
    for line_no, line in _unfolded(text):
        name_part, sep, value = line.partition(":")
        if not sep:
            continue
        name = name_part.split(";", 1)[0].strip().upper()
        if name == "BEGIN":
            comp = value.strip().upper()
            counts[comp] = counts.get(comp, 0) + 1
            stack.append(f"{'card' if comp == 'VCARD' else comp} {counts[comp]}")
            continue
        if name == "END":
            if stack:
                stack.pop()
            continue
        if name in ("VERSION", "PRODID", "CALSCALE", "METHOD") or not value.strip():
            continue
        if name == "PHOTO" or ";ENCODING=B" in name_part.upper():
            continue  # inline images
        shown = _unescape(value).replace(";", " ").strip() if name in ("N", "ADR") else \
            _unescape(value)
        if name in ("ATTENDEE", "ORGANIZER") and "CN=" in name_part.upper():
            cn = name_part.upper().index("CN=")
            shown = f"{name_part[cn + 3:].split(';')[0].strip(chr(34))} {shown}"
        yield Segment(text=shown, location=Location(line=line_no, part=stack[-1] if stack
                                                    else None),
                      context=_CONTEXT.get(name, name.lower()))
