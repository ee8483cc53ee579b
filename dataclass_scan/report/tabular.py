"""Shared helpers for the table-like formats (CSV, Markdown, JUnit, HTML)."""

from __future__ import annotations

import re

from dataclass_scan.model import FileResult, Finding, ScanResult, Verdict

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """One line, no control characters (paths and excerpts come from hostile files)."""
    text = " ".join(str(text).split())
    if not text.isascii():  # lone surrogates (undecodable file names) cannot be written out
        text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def where(f: FileResult, x: Finding) -> str:
    return f"{f.path}{x.location.render()}"


def verdict_rank(f: FileResult) -> int:
    return f.verdict.rank if f.verdict is not None else -1


def flagged(scan: ScanResult) -> list[FileResult]:
    """Files with a review or block verdict, worst first, then most findings, then path."""
    out = [f for f in scan.files if f.verdict in (Verdict.BLOCK, Verdict.REVIEW)]
    out.sort(key=lambda f: (-verdict_rank(f), -f.finding_count, f.path))
    return out


def more_findings(f: FileResult) -> str:
    """The line that says a file's findings list is not complete (--max-findings)."""
    n = f.findings_omitted
    return (f"... and {n} more finding{'s' if n != 1 else ''} not listed (--max-findings); "
            "the label and verdict count them")


def shown_value(x: Finding, show_values: bool) -> str:
    return x.value if show_values and x.value else ""
