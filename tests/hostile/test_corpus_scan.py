"""The real CLI over the shared real-world corpus (../shared/corpus/real beside the
repository; skipped when absent): the scan completes, and every file on disk comes out
as exactly one top-level result with a status, and a reason whenever it is not plainly
scanned. Files in == results out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus_check import corpus_dir
from tests.hostile.conftest import leaks_in

ROOT = corpus_dir()
pytestmark = [
    pytest.mark.skipif(ROOT is None, reason="shared/corpus/real not present"),
    pytest.mark.skipif(os.environ.get("DCS_SLOW_TESTS") != "1",
                       reason="scans the whole corpus (minutes); set DCS_SLOW_TESTS=1"),
]


def test_corpus_scan_accounts_for_every_file(tmp_path: Path):
    assert ROOT is not None
    on_disk = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                     if p.is_file() or (p.is_symlink() and not p.is_dir()))
    out = tmp_path / "corpus.json"
    proc = subprocess.run(
        [sys.executable, "-m", "dataclass_scan", "scan", str(ROOT), "-f", "json", "-o",
         str(out), "--fail-on", "never", "--timeout", "120s"],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path,
        env=dict(os.environ, NO_COLOR="1"))
    assert proc.returncode in (0, 3), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = json.loads(out.read_text())
    top = [f for f in report["files"] if "!" not in f["path"]]
    paths = sorted(str(Path(f["path"]).relative_to(ROOT)) for f in top)
    assert paths == on_disk  # one result per file: none dropped, none doubled
    assert report["summary"]["files"] == len(report["files"])
    for f in report["files"]:
        assert f["status"] in {"scanned", "partial", "encrypted", "unsupported", "skipped",
                               "error", "timeout"}, f
        if f["status"] != "scanned":
            assert f["errors"] or f["reasons"], f"{f['path']}: {f['status']} without a reason"
    # Error messages quote nothing the synthetic planted values would match.
    assert not leaks_in(json.dumps([f["errors"] for f in report["files"]]).encode())
