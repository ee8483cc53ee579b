"""A 256 MB single-line text file, scanned with --max-file-size 2GB, is read to its end
(a value in its last bytes is found) with peak memory under 1 GB. Slow (minutes): runs
only with DCS_SLOW_TESTS=1. Measured figures are in docs/security.md."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.builder import PLANTED

pytestmark = pytest.mark.skipif(os.environ.get("DCS_SLOW_TESTS") != "1",
                                reason="writes and scans a 256 MB file; set DCS_SLOW_TESTS=1")

SIZE = 256 * 1024 * 1024


def test_huge_single_line_is_scanned_to_its_end_in_bounded_memory(tmp_path: Path):
    big = tmp_path / "one-line.txt"
    tail = f" ssn {PLANTED['US_SSN']} end".encode()
    chunk = b"lorem ipsum dolor sit amet " * 40000
    with big.open("wb") as fh:
        written = 0
        while written + len(chunk) <= SIZE - len(tail):
            fh.write(chunk)
            written += len(chunk)
        fh.write(b"x" * (SIZE - len(tail) - written) + tail)
    assert big.stat().st_size == SIZE
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "dataclass_scan", "scan", str(big), "--max-file-size", "2GB",
         "-f", "json", "--timeout", "30m"],
        capture_output=True, text=True, timeout=3600)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert proc.returncode == 1, proc.stderr[-2000:]
    (f,) = json.loads(proc.stdout)["files"]
    assert f["status"] == "scanned", f
    ssn = [x for x in f["findings"] if x["type"] == "US_SSN"]
    assert ssn and ssn[-1]["location"]["line"] == 1
    assert ssn[-1]["location"]["column"] == SIZE - len(tail) + len(" ssn ") + 1
    assert max(peak_kib, before) < 1024 * 1024, f"peak RSS {peak_kib} KiB"
