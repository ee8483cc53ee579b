"""Extractors by format: `extract(item, ctx) -> Iterator[Segment | Item]`.

A container format (archive, mailbox, a mail's attachments) yields child `Item`s, with
display paths chained left to right (`outer.zip!inner/file.pdf`); the runner scans them.

The format is decided from the bytes first (magic numbers, zip and OLE container
contents; see `sniff.py`) and the extension second. A new format is one module plus one
line in REGISTRY (and its extension in EXTENSIONS).

Document metadata (`ExtractContext.metadata`), filled where it is cheap, under these keys:

- `custom_properties: dict[str, str]` -- OOXML `docProps/custom.xml` (DOCX, XLSX, PPTX),
  OpenDocument user-defined fields. Microsoft Information Protection labels live here as
  `MSIP_Label_<guid>_Name`, `..._Enabled`, `..._SiteId`, `..._Method`, ...
- `core_properties: dict[str, str]` -- OOXML `docProps/core.xml` / ODF meta (title,
  subject, creator, keywords, description, category, last_modified_by, ...).
- `ooxml_parts: list[str]` -- the part names of an OOXML package (e.g.
  `docMetadata/LabelInfo.xml`, which newer Office versions use for MIP labels).
- `label_info: str` -- the raw XML of `docMetadata/LabelInfo.xml` when present.
- `pdf_info: dict[str, str]` -- the PDF document information dictionary (Title, Author,
  Subject, Keywords, Producer, ...; MIP-labelled PDFs carry `MSIP_Label_*` keys here).
- `mail_headers: dict[str, str]` -- the headers of an .eml / .msg / mbox message
  (`Subject`, `From`, `To`, ..., plus `msip_labels` / `X-MS-Exchange-*` when present).
- `hidden_sheets: list[str]` -- XLSX sheets that are hidden or very hidden.
- `export: str` -- on an archive recognised as a workspace export (`slack`,
  `google-takeout`, `notion`, `confluence`); its members carry `source["export"]`.
- `decrypted: bool` -- a password-protected Office file was opened with a candidate.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataclass_scan.model import Item, Segment

if TYPE_CHECKING:
    from dataclass_scan.config import Config

REGISTRY: dict[str, str] = {
    "text": "dataclass_scan.extract.text:extract",
    "markdown": "dataclass_scan.extract.text:extract",
    "csv": "dataclass_scan.extract.delimited:extract",
    "json": "dataclass_scan.extract.jsondoc:extract",
    "pdf": "dataclass_scan.extract.pdf:extract",
    "docx": "dataclass_scan.extract.docx:extract",
    "xlsx": "dataclass_scan.extract.xlsx:extract",
    "zip": "dataclass_scan.sources.archive:extract_zip",
    "tar": "dataclass_scan.sources.archive:extract_tar",
    "gzip": "dataclass_scan.sources.archive:extract_compressed",
    "bzip2": "dataclass_scan.sources.archive:extract_compressed",
    "xz": "dataclass_scan.sources.archive:extract_compressed",
    "html": "dataclass_scan.extract.html:extract",
    "xml": "dataclass_scan.extract.xmldoc:extract",
    "rtf": "dataclass_scan.extract.rtf:extract",
    "vcard": "dataclass_scan.extract.vobject:extract",
    "ical": "dataclass_scan.extract.vobject:extract",
    "eml": "dataclass_scan.extract.mail:extract_eml",
    "mbox": "dataclass_scan.extract.mail:extract_mbox",
    "msg": "dataclass_scan.extract.mail:extract_msg",
    "ndjson": "dataclass_scan.extract.jsondoc:extract_lines",
    "pptx": "dataclass_scan.extract.pptx:extract",
    "xls": "dataclass_scan.extract.xls:extract",
    "odf": "dataclass_scan.extract.odf:extract",
    "slack-day": "dataclass_scan.sources.exports.slack:extract",
    "binary": "dataclass_scan.extract.binary:extract",
    "doc": "dataclass_scan.extract.binary:extract_ole",
    "ppt": "dataclass_scan.extract.binary:extract_ole",
    "xlsb": "dataclass_scan.extract.binary:extract_ole",
    "ole": "dataclass_scan.extract.binary:extract_ole",
    "office-encrypted": "dataclass_scan.extract.office_crypto:extract",
}

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".log": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".pptx": "pptx",
    ".pptm": "pptx",
    ".xls": "xls",
    ".odt": "odf",
    ".ods": "odf",
    ".odp": "odf",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".zip": "zip",
    ".tar": "tar",
    ".tgz": "gzip",
    ".gz": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "xml",
    ".svg": "xml",
    ".rtf": "rtf",
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".ics": "ical",
    ".ifb": "ical",
    ".eml": "eml",
    ".mbox": "mbox",
    ".msg": "msg",
    ".doc": "doc",
    ".ppt": "ppt",
    ".xlsb": "xlsb",
}


@dataclass(slots=True)
class ExtractContext:
    """Per-file settings and a place for non-fatal problems (which make a file `partial`)."""

    max_bytes: int
    depth: int = 0
    warnings: list[str] = field(default_factory=list)
    # Document metadata worth keeping (e.g. embedded classification labels), by key.
    metadata: dict[str, Any] = field(default_factory=dict)
    # The scan's settings (archive limits, candidate passwords), when a runner has them.
    config: Config | None = field(default=None, repr=False)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def passwords(self) -> tuple[str, ...]:
        return self.config.passwords if self.config is not None else ()


Extractor = Callable[[Item, ExtractContext], Iterator["Segment | Item"]]
_loaded: dict[str, Extractor] = {}


def get_extractor(fmt: str) -> Extractor:
    if fmt not in _loaded:
        module, _, attr = REGISTRY[fmt].partition(":")
        _loaded[fmt] = getattr(importlib.import_module(module), attr)
    return _loaded[fmt]


def sniff_format(item: Item, head: bytes) -> str:
    """Decide the format from content, then the extension; default is text."""
    from dataclass_scan.extract.sniff import sniff

    return sniff(item, head)


def formats() -> list[str]:
    return sorted(REGISTRY)
