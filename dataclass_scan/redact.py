"""Scrub error messages before they reach a report.

Parsers put pieces of the file they choke on into their exception messages
(`invalid literal for int() with base 10: '536-22-8145'`, a content type, a PDF
dictionary). Those messages end up in `errors` of a file result, so they must be as
masked as findings are. `redact` masks, in a message:

- every value the rule engine finds in it (masked like a finding's excerpt);
- every number-like run with 5 or more digits (`536228145`, `0x7f3a91c2`), which
  catches bare identifiers the rules need context for;
- every long token that mixes letters and digits (16+ characters), which catches keys
  and tokens no rule knows.

Messages this package writes itself (limits, skip reasons) need no scrubbing; only
text that came from an exception or a third-party library goes through here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dataclass_scan.detect.masking import mask_value

if TYPE_CHECKING:
    from dataclass_scan.detect.engine import Engine

MAX_MESSAGE = 300

_NUMBERISH = re.compile(r"(?:0x)?\d(?:[ ().\-/]?[0-9A-Fa-f])*(?![A-Za-z0-9])")
_TOKEN = re.compile(r"[A-Za-z0-9_+/=\-]{16,}")


def _mask_all(text: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in text)


def redact(message: str, engine: Engine | None = None, *, numbers: bool = True) -> str:
    """Return `message` with anything that may be a sensitive value masked.

    `numbers=False` keeps bare numbers (for this package's own warnings, which quote
    sizes and counts) and masks only what the rules find and long mixed tokens.
    """
    from dataclass_scan.model import Segment

    text = " ".join(message.split())
    if len(text) > MAX_MESSAGE * 4:
        text = text[: MAX_MESSAGE * 4]
    if engine is not None and text:
        try:
            findings = engine.detect(Segment(text=text)).findings
        except Exception:  # noqa: BLE001 - redaction must never fail the scan
            findings = []
        for f in sorted(findings, key=lambda x: x.start, reverse=True):
            text = text[: f.start] + mask_value(text[f.start : f.end], f.type) + text[f.end :]

    def numberish(m: re.Match[str]) -> str:
        run = m.group(0)
        return _mask_all(run) if sum(ch.isdigit() for ch in run) >= 5 else run

    def token(m: re.Match[str]) -> str:
        run = m.group(0)
        mixed = any(ch.isdigit() for ch in run) and any(ch.isalpha() for ch in run)
        return _mask_all(run) if mixed else run

    text = _TOKEN.sub(token, text)
    if numbers:
        text = _NUMBERISH.sub(numberish, text)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return text


def silence_library_output() -> None:
    """Keep parsers' own log lines and warnings off the terminal (CLI only).

    pdfminer logs raw bytes of the file it is parsing ("Not adding object 6 to xref
    because position b'...'"), openpyxl warns with header and footer text: both can
    carry document content to a terminal or a CI log. Problems with a file are reported
    in its result instead. `DATACLASS_SCAN_DEBUG=1` keeps them for debugging.
    """
    import logging
    import os
    import warnings

    if os.environ.get("DATACLASS_SCAN_DEBUG"):
        return
    logging.getLogger().addHandler(logging.NullHandler())  # no last-resort stderr handler
    for name in ("pdfminer", "pdfplumber", "pypdfium2", "openpyxl", "docx", "pptx",
                 "extract_msg", "olefile", "fsspec"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
