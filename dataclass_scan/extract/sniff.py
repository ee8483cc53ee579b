"""Decide a file's format from its bytes (magic numbers, zip and OLE container contents),
falling back to its extension. A zip named `.dat`, a PDF named `.txt` and an XLSX saved
as `.zip` are each read as what they are."""

from __future__ import annotations

import re
import zipfile

from dataclass_scan.extract import EXTENSIONS
from dataclass_scan.model import Item

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Binary kinds that no extractor reads: reported `unsupported` with this description.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x28\xb5\x2f\xfd", "Zstandard-compressed data"),
    (b"!BDN", "Outlook PST/OST mailbox (export the mail as .mbox or .msg to scan it)"),
)

# Part names that identify a zip-based document format.
ZIP_MARKERS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("xl/workbook.bin", "xlsb"),
    ("ppt/presentation.xml", "pptx"),
)
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odf",
    "application/vnd.oasis.opendocument.spreadsheet": "odf",
    "application/vnd.oasis.opendocument.presentation": "odf",
}

_MAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|"
    rb"X-[A-Za-z0-9-]+|Content-Type|Reply-To|Cc):",
    re.I,
)


def extension_of(name: str) -> str:
    name = name.lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def sniff(item: Item, head: bytes) -> str:
    from dataclass_scan.extract import REGISTRY

    hint = item.source.get("format") if item.source else None
    if isinstance(hint, str) and hint in REGISTRY:
        return hint  # a container that knows what it holds (a message in an mbox)
    by_content = sniff_bytes(item, head)
    if by_content is not None:
        return by_content
    ext = extension_of(item.name)
    if ext == ".json" and item.fs_path is not None:
        from dataclass_scan.sources.exports.slack import is_local_day_file

        if is_local_day_file(item):
            return "slack-day"
    return EXTENSIONS.get(ext, "text")


def sniff_bytes(item: Item, head: bytes) -> str | None:
    """The format the bytes prove, or None when they prove nothing (plain text, say)."""
    if not head:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(item) or ("zip" if head.startswith(b"PK\x05\x06") else None)
    if head.startswith(OLE_MAGIC):
        return _ole_format(item)
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 4 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    for magic, _ in BINARY_MAGIC:
        if head.startswith(magic):
            return "binary"
    if head.startswith(b"MZ") and b"This program cannot be run in DOS mode" in head[:512]:
        return "binary"
    return _text_format(item, head)


def _text_format(item: Item, head: bytes) -> str | None:
    ext = extension_of(item.name)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512]
    low = start.lower()
    if low.startswith(b"{\\rtf"):
        return "rtf"
    if low.startswith(b"begin:vcard"):
        return "vcard"
    if low.startswith(b"begin:vcalendar"):
        return "ical"
    if low.startswith((b"<!doctype html", b"<html")) or (
        low.startswith(b"<?xml") and b"<html" in low
    ):
        return "html"
    if low.startswith(b"<?xml") or (low.startswith(b"<") and ext in (".xml", "")):
        if ext in (".html", ".htm", ".xhtml"):
            return "html"
        return "xml"
    if head.startswith(b"From ") and b"\n" in head:
        rest = head[head.index(b"\n") + 1:]
        if _MAIL_HEADER.match(rest):
            return "mbox"
    if ext not in (".txt", ".md", ".csv", ".tsv", ".json", ".log") and _looks_like_mail(head):
        return "eml"
    return None


def _looks_like_mail(head: bytes) -> bool:
    lines = head.split(b"\n", 40)[:40]
    hits = 0
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            return hits >= 3
        if line[:1] in (b" ", b"\t"):
            continue
        if _MAIL_HEADER.match(line):
            hits += 1
        elif b":" not in line:
            return False
    return False


def _zip_format(item: Item) -> str | None:
    try:
        with item.open() as fh, zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
            name_set = set(names)
            if "mimetype" in name_set:
                try:
                    mime = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, ValueError):
                    mime = ""
                if mime in ODF_MIMETYPES:
                    return ODF_MIMETYPES[mime]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError):  # e.g. "zip file version 6.4" (found by fuzz/run.py)
        return None
    for marker, fmt in ZIP_MARKERS:
        if marker in name_set:
            return fmt
    return "zip"


def _ole_format(item: Item) -> str | None:
    """OLE2 compound files: legacy Office, Outlook .msg, or an encrypted OOXML package."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        return "ole"
    try:
        with item.open() as fh, olefile.OleFileIO(fh) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - not a readable OLE file: let the extension decide
        return None
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return "office-encrypted"
    if any(s.startswith("__substg1.0_") for s in streams) or "__properties_version1.0" in streams:
        return "msg"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    if "PowerPoint Document" in streams:
        return "ppt"
    return "ole"
