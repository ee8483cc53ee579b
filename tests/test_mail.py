from __future__ import annotations

from pathlib import Path

from dataclass_scan.api import build_context
from dataclass_scan.config import Config
from dataclass_scan.extract import ExtractContext, get_extractor, sniff_format
from dataclass_scan.model import Item, Location, Status
from dataclass_scan.runner import process_item
from fixtures.formats import (
    EMAIL,
    SSN,
    eml_bytes,
    mbox_bytes,
    pdf_bytes,
    write_msg,
    zip_bytes,
)


def run(path: Path):
    ctx = build_context(Config())
    return {r.path: r for r in process_item(
        Item(path=str(path), size=path.stat().st_size, fs_path=str(path)), ctx)}


def hits(result, entity: str):
    return [f for f in result.findings if f.type == entity]


def test_eml_headers_bodies_and_attachments(tmp_path: Path):
    p = tmp_path / "note.eml"
    p.write_bytes(eml_bytes(
        subject="Card 4539 1488 0343 6467", sender=f"Jane <{EMAIL}>", to="ops@example.org",
        text=f"Hello,\nmy SSN is {SSN}\n",
        html="<html><body><p>Hi</p>\n<p>IBAN DE12 5001 0517 0648 4898 90</p></body></html>",
        attachments={"contract.pdf": pdf_bytes([["intro"], [f"SSN {SSN}"]]),
                     "bundle.zip": zip_bytes({"inner.txt": f"x {EMAIL}\n".encode()})},
        extra_headers={"msip_labels": "MSIP_Label_abc_Enabled=true"}))
    results = run(p)
    top = results[str(p)]
    assert top.format == "eml" and top.status is Status.SCANNED
    assert hits(top, "CREDIT_CARD")[0].location == Location(part="header Subject")
    assert hits(top, "EMAIL")[0].location == Location(part="header From")
    assert hits(top, "US_SSN")[0].location == Location(part="body", line=2, column=11)
    assert hits(top, "IBAN")[0].location.part == "body html"
    assert hits(top, "IBAN")[0].location.line == 2
    pdf = results[f"{p}!contract.pdf"]
    assert pdf.format == "pdf" and hits(pdf, "US_SSN")[0].location.page == 2
    assert hits(results[f"{p}!bundle.zip!inner.txt"], "EMAIL")
    item = Item(path=str(p), size=p.stat().st_size, fs_path=str(p))
    ctx = ExtractContext(max_bytes=10**8)
    list(get_extractor("eml")(item, ctx))
    assert ctx.metadata["mail_headers"]["msip_labels"].startswith("MSIP_Label_abc")


def test_mbox_messages_and_attachment_locations(tmp_path: Path):
    first = eml_bytes(subject="hello", sender="a@example.org", to="b@example.org",
                      text="From the desk of nobody\nnothing here\n")
    second = eml_bytes(subject="contract", sender="a@example.org", to="b@example.org",
                       text="see attachment\n",
                       attachments={"contract.pdf": pdf_bytes([["a"], ["b"], [f"SSN {SSN}"]])})
    p = tmp_path / "inbox.mbox"
    p.write_bytes(mbox_bytes([first, second]))
    assert sniff_format(Item(path="x", size=1, fs_path=str(p)), p.read_bytes()[:8192]) == "mbox"
    results = run(p)
    assert results[f"{p}!msg-1"].format == "eml"
    assert "From the desk" in get_body(results, p)
    pdf = results[f"{p}!msg-2/contract.pdf"]
    assert hits(pdf, "US_SSN")[0].location.page == 3
    assert not hits(results[f"{p}!msg-1"], "US_SSN")


def get_body(results, p: Path) -> str:
    # The first message's body line that starts with "From " survived the mbox escaping.
    item = Item(path=f"{p}!msg-1", size=0, data=mbox_message(p, 1))
    segs = list(get_extractor("eml")(item, ExtractContext(max_bytes=10**8)))
    return "\n".join(s.text for s in segs)


def mbox_message(p: Path, number: int) -> bytes:
    item = Item(path=str(p), size=p.stat().st_size, fs_path=str(p))
    msgs = list(get_extractor("mbox")(item, ExtractContext(max_bytes=10**8)))
    return msgs[number - 1].data


def test_outlook_msg(tmp_path: Path):
    p = write_msg(tmp_path / "mail.msg", subject=f"SSN {SSN}", sender=EMAIL,
                  to="ops@example.org", body="Hello\nCard 4539 1488 0343 6467\n",
                  attachment=("notes.txt", b"IBAN DE12 5001 0517 0648 4898 90\n"))
    results = run(p)
    top = results[str(p)]
    assert top.format == "msg" and top.status is Status.SCANNED
    assert hits(top, "US_SSN")[0].location == Location(part="header Subject")
    assert hits(top, "EMAIL")[0].location == Location(part="header From")
    assert hits(top, "CREDIT_CARD")[0].location == Location(part="body", line=2, column=6)
    att = results[f"{p}!notes.txt"]
    assert hits(att, "IBAN")[0].location.line == 1


def test_broken_mail_is_reported(tmp_path: Path):
    p = tmp_path / "broken.msg"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    results = run(p)
    assert results[str(p)].status is Status.ERROR
