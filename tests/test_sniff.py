from __future__ import annotations

from pathlib import Path

import pytest

from dataclass_scan.api import build_context
from dataclass_scan.config import Config
from dataclass_scan.extract import sniff_format
from dataclass_scan.model import Item, Status
from dataclass_scan.runner import process_item
from fixtures.builder import write_pdf, write_xlsx
from fixtures.formats import zip_bytes


def sniff(path: Path) -> str:
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    return sniff_format(item, path.read_bytes()[:8192])


@pytest.mark.parametrize("name,data,fmt", [
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "binary"),
    ("a.dat", b"\x1f\x8b\x08\x00" + b"\0" * 20, "gzip"),
    ("notes", b"{\\rtf1\\ansi hello}", "rtf"),
    ("card.txt", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\nEND:VCARD\r\n", "vcard"),
    ("cal.dat", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "ical"),
    ("page.txt", b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    ("data.bin", b"<?xml version='1.0'?><root/>", "xml"),
    ("box", b"From a@b.c Mon Jan  1 00:00:00 2024\nFrom: a@b.c\nSubject: x\n\nbody\n",
     "mbox"),
    ("message", b"From: a@b.c\nTo: d@e.f\nSubject: hi\nDate: Mon, 1 Jan 2024\n\nbody\n", "eml"),
    ("readme.md", b"# Title\n\nFrom: here\n", "markdown"),
    ("plain", b"just some words\n", "text"),
    ("x.7z", b"7z\xbc\xaf\x27\x1c" + b"\0" * 30, "binary"),
])
def test_format_from_bytes(tmp_path: Path, name: str, data: bytes, fmt: str):
    p = tmp_path / name
    p.write_bytes(data)
    assert sniff(p) == fmt


def test_containers_by_content(tmp_path: Path):
    pdf = tmp_path / "report.txt"
    write_pdf(pdf, [["x"]])
    xlsx = tmp_path / "book.zip"
    write_xlsx(xlsx, {"S": [["v"]]})
    z = tmp_path / "backup.dat"
    z.write_bytes(zip_bytes({"a.txt": b"x"}))
    assert [sniff(pdf), sniff(xlsx), sniff(z)] == ["pdf", "xlsx", "zip"]


def test_images_are_unsupported_with_a_reason(tmp_path: Path):
    p = tmp_path / "scan.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    ctx = build_context(Config())
    [result] = process_item(Item(path=str(p), size=104, fs_path=str(p)), ctx)
    assert result.status is Status.UNSUPPORTED
    assert "JPEG image" in result.errors[0] and "no text layer" in result.errors[0]
