"""Mail: .eml (RFC 5322), mbox (Gmail/Takeout) and Outlook .msg.

A message yields its headers (`:header Subject`), its text body (`:body:line 3`) and the
visible text of its HTML body (`:body html:line 2`); attachments become child items
scanned by their own extractors, so a finding reads
`inbox.mbox!msg-12/contract.pdf:page 3`. An mbox yields one child item per message
(`inbox.mbox!msg-12`). Headers go to `ctx.metadata["mail_headers"]`.

Outlook .msg files are OLE compound files read with olefile (BSD): subject, sender,
recipients, transport headers, plain and HTML bodies and attachments (embedded messages
are reported, not opened)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

from dataclass_scan.errors import ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_upto
from dataclass_scan.model import Item, Location, Segment

SCANNED_HEADERS = ("Subject", "From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Delivered-To")
_MAX_HEADER_VALUE = 4096


def _attachment_path(item: Item, name: str) -> str:
    from dataclass_scan.sources.archive import safe_member_name

    # Inside a mailbox the message is already a member (`box.mbox!msg-3`): attachments
    # read as its sub-paths (`box.mbox!msg-3/report.pdf`), elsewhere as members.
    sep = "/" if item.source.get("mail_message") else "!"
    return f"{item.path}{sep}{safe_member_name(name)}"


def _html_segments(html: str, part: str) -> Iterator[Segment]:
    from dataclass_scan.extract.html import _Visible

    parser = _Visible()
    parser.feed(html)
    parser.close()
    for seg in parser.out:
        loc = seg.location
        yield Segment(text=seg.text, location=Location(part=part, line=loc.line,
                                                       column=loc.column),
                      track_lines=seg.track_lines, context=seg.context)


def _header_segments(headers: dict[str, str]) -> Iterator[Segment]:
    for name in SCANNED_HEADERS:
        value = headers.get(name)
        if value and value.strip():
            yield Segment(text=value, location=Location(part=f"header {name}"),
                          context=name.lower())


def extract_eml(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    with item.open() as fh:
        data = read_upto(fh, ctx.max_bytes + 1, item.size)
    if len(data) > ctx.max_bytes:
        ctx.warn(f"only the first {ctx.max_bytes} bytes were read")
        data = data[: ctx.max_bytes]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise ExtractionError("not an e-mail message: no headers")
    headers: dict[str, str] = {}
    for key in msg.keys():
        if key not in headers:
            try:
                headers[key] = str(msg.get(key, ""))[:_MAX_HEADER_VALUE]
            except Exception:  # noqa: BLE001 - a malformed header is kept raw
                headers[key] = str(msg.get_all(key, [""])[0])[:_MAX_HEADER_VALUE]
    ctx.metadata["mail_headers"] = headers
    yield from _header_segments(headers)
    yield from _parts(item, msg, ctx)


def _leaves(msg: EmailMessage, depth: int = 0) -> Iterator[EmailMessage]:
    """Leaf parts of a message, not descending into attached messages (message/rfc822,
    scanned as child items of their own) and at most 50 multipart levels deep."""
    if msg.get_content_maintype() == "multipart" and msg.is_multipart():
        if depth >= 50:
            return
        for sub in msg.get_payload():  # type: ignore[union-attr]
            if isinstance(sub, EmailMessage):
                yield from _leaves(sub, depth + 1)
        return
    yield msg


def _parts(item: Item, msg: EmailMessage, ctx: ExtractContext) -> Iterator[Segment | Item]:
    unnamed = 0
    plain_seen = html_seen = 0
    for part in _leaves(msg):
        ctype = part.get_content_type()
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            payload = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
            unnamed += 1
            yield Item(path=_attachment_path(item, filename or f"message-{unnamed}.eml"),
                       size=len(payload), data=payload,
                       source={"container": item.path, "format": "eml"})
            continue
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            try:
                text = part.get_content()
            except Exception:  # noqa: BLE001 - unknown charset: decode leniently
                raw = part.get_payload(decode=True) or b""
                text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            if not isinstance(text, str) or not text.strip():
                continue
            if ctype == "text/plain":
                plain_seen += 1
                part_name = "body" if plain_seen == 1 else f"body {plain_seen}"
                yield Segment(text=text, location=Location(part=part_name, line=1),
                              track_lines=True)
            else:
                html_seen += 1
                part_name = "body html" if html_seen == 1 else f"body html {html_seen}"
                yield from _html_segments(text, part_name)
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        if not filename:
            unnamed += 1
            ext = {"text/plain": ".txt", "text/html": ".html", "application/pdf": ".pdf"}.get(
                ctype, ".bin")
            filename = f"part-{unnamed}{ext}"
        yield Item(path=_attachment_path(item, filename), size=len(payload), data=payload,
                   source={"container": item.path, "content_type": ctype})


def extract_mbox(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    """Split on `From ` separator lines (mboxrd `>From ` quoting undone per message)."""
    number = 0
    current: list[bytes] = []
    previous_blank = True

    def message() -> Item:
        data = b"".join(current)
        data = data.replace(b"\n>From ", b"\nFrom ")
        return Item(path=f"{item.path}!msg-{number}", size=len(data), data=data,
                    source={"container": item.path, "format": "eml", "mail_message": True})

    with item.open() as fh:
        for line in fh:
            if line.startswith(b"From ") and previous_blank:
                if current:
                    yield message()
                number += 1
                current = []
                previous_blank = False
                continue
            if number == 0:
                if line.strip():
                    raise ExtractionError("not an mbox file: no 'From ' separator line first")
                continue
            current.append(line)
            previous_blank = not line.strip()
    if current:
        yield message()


# ---------------------------------------------------------------- Outlook .msg

_MSG_STRINGS = {
    "0037": "Subject",
    "0C1A": "Sender name",
    "0C1F": "From",
    "5D01": "From",
    "0E04": "To",
    "0E03": "Cc",
    "0E02": "Bcc",
    "0042": "Sent representing",
}


def _prop(ole: Any, storage: list[str], prop: str) -> bytes | str | None:
    for ptype in ("001F", "001E", "0102"):
        path = [*storage, f"__substg1.0_{prop}{ptype}"]
        if ole.exists("/".join(path)):
            data = ole.openstream(path).read()
            if ptype == "001F":
                return data.decode("utf-16-le", "replace").rstrip("\x00")
            if ptype == "001E":
                return data.decode("cp1252", "replace").rstrip("\x00")
            return data
    return None


def _as_text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def extract_msg(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    import olefile

    with item.open() as fh:
        data = fh.read()
    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # noqa: BLE001 - olefile raises several kinds
        raise ExtractionError(f"corrupt Outlook message: {type(exc).__name__}") from None
    with ole:
        headers: dict[str, str] = {}
        raw_headers = _as_text(_prop(ole, [], "007D"))
        if raw_headers.strip():
            parsed = email.message_from_string(raw_headers + "\n\n",
                                               policy=email.policy.default)
            for key in parsed.keys():
                headers.setdefault(key, str(parsed.get(key, ""))[:_MAX_HEADER_VALUE])
        for prop, name in _MSG_STRINGS.items():
            value = _as_text(_prop(ole, [], prop))
            if value.strip() and name not in headers:
                headers[name] = value
        recipients = []
        for entry in ole.listdir(streams=False, storages=True):
            if len(entry) == 1 and entry[0].startswith("__recip_version1.0_"):
                address = _as_text(_prop(ole, entry, "39FE")) or _as_text(
                    _prop(ole, entry, "3003"))
                name = _as_text(_prop(ole, entry, "3001"))
                recipients.append(f"{name} <{address}>" if address else name)
        if recipients:
            headers["Recipients"] = ", ".join(r for r in recipients if r.strip())
        ctx.metadata["mail_headers"] = headers
        yield from _header_segments(headers)
        if headers.get("Recipients"):
            yield Segment(text=headers["Recipients"], location=Location(part="recipients"),
                          context="to")
        yield from _other_strings(ole)
        body = _as_text(_prop(ole, [], "1000"))
        if body.strip():
            yield Segment(text=body, location=Location(part="body", line=1), track_lines=True)
        html = _prop(ole, [], "1013")
        if html:
            yield from _html_segments(_as_text(html), "body html")
        yield from _msg_attachments(item, ole, ctx)


# Properties read above or not worth scanning (bodies, headers, ids, class names).
_MSG_SKIP = frozenset({*_MSG_STRINGS, "007D", "1000", "1013", "1009", "001A", "0064", "0065",
                       "0075", "0C1E", "0C1D", "0E1D", "003B", "0051", "0052", "300B", "1035",
                       "1042", "0070", "0E02", "0E03", "0E04", "3FFA", "3FF8", "0C1F", "5D01"})


def _other_strings(ole: Any) -> Iterator[Segment]:
    """Other top-level string properties: contact fields, appointment locations, ...."""
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) != 1 or not entry[0].startswith("__substg1.0_"):
            continue
        tag = entry[0][12:]
        prop, ptype = tag[:4].upper(), tag[4:8].upper()
        if ptype not in ("001F", "001E") or prop in _MSG_SKIP:
            continue
        try:
            data = ole.openstream(entry).read(65536)
        except OSError:
            continue
        text = (data.decode("utf-16-le", "replace") if ptype == "001F"
                else data.decode("cp1252", "replace")).rstrip("\x00")
        if text.strip():
            yield Segment(text=text, location=Location(part=f"property 0x{prop}"))


def _msg_attachments(item: Item, ole: Any, ctx: ExtractContext) -> Iterator[Item]:
    seen = 0
    for entry in sorted(ole.listdir(streams=False, storages=True)):
        if len(entry) != 1 or not entry[0].startswith("__attach_version1.0_"):
            continue
        seen += 1
        name = (_as_text(_prop(ole, entry, "3707")) or _as_text(_prop(ole, entry, "3704"))
                or f"attachment-{seen}.bin")
        payload = _prop(ole, entry, "3701")
        if ole.exists("/".join([*entry, "__substg1.0_3701000D"])):
            yield Item(path=_attachment_path(item, name), size=0,
                       source={"container": item.path},
                       skip_reason="embedded Outlook message inside .msg: not opened")
            continue
        if not isinstance(payload, bytes) or not payload:
            continue
        yield Item(path=_attachment_path(item, name), size=len(payload), data=payload,
                   source={"container": item.path})
