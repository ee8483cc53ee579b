"""Helpers for report tests: render a ScanResult in a format, compare with a golden file."""

from __future__ import annotations

import io
import os
from pathlib import Path

from dataclass_scan.model import ScanResult
from dataclass_scan.report import ReportOptions, get_reporter

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
UPDATE = os.environ.get("DCS_UPDATE_GOLDENS") == "1"


def render(scan: ScanResult, fmt: str, **options: object) -> str:
    buf = io.StringIO()
    rep = get_reporter(fmt)(buf, ReportOptions(color=False, **options))  # type: ignore[arg-type]
    rep.begin()
    for f in scan.files:
        rep.file(f)
    rep.end(scan)
    return buf.getvalue()


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/report/NAME; DCS_UPDATE_GOLDENS=1 rewrites it."""
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            raise AssertionError(f"golden file {path} missing: run with DCS_UPDATE_GOLDENS=1")
        path.write_text(text, encoding="utf-8", newline="")
        return
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from its golden file (DCS_UPDATE_GOLDENS=1 updates)"
