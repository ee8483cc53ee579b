"""Archives made to hurt: flat and nested (42.zip-style) zip bombs, nesting past the depth
limit, member names that climb out with ../ or start at /. Scanned by the real CLI under
a memory limit; every member is accounted for with a status and a reason."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import hostile

MEMORY_LIMIT = 3 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def archive_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    data = tmp_path_factory.mktemp("archives")
    hostile.zip_bomb_flat(data / "flat-bomb.zip", members=3, member_size=20 * 1024 * 1024)
    hostile.zip_bomb_nested(data / "nested-bomb.zip", levels=3, fanout=3,
                            leaf_size=20 * 1024 * 1024)
    hostile.zip_nested_deep(data / "deep.zip", depth=12)
    hostile.zip_traversal_names(data / "traversal.zip")
    proc = subprocess.run(
        [sys.executable, "-m", "dataclass_scan", "scan", str(data), "-f", "json"],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory,
        stdin=subprocess.DEVNULL, cwd=data)
    assert proc.returncode in (1, 3), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    rep = json.loads(proc.stdout)
    out = {f["path"][len(str(data)) + 1:]: f for f in rep["files"]}
    # Where ../../escape.txt, /etc/owned.txt and ok/../../../up.txt would have landed
    # had anything been extracted to disk (the scan ran in `data`).
    landed = [data / "escape.txt", data.parent / "escape.txt", data.parent.parent / "escape.txt",
              Path("/etc/owned.txt"), data.parent.parent / "up.txt", data.parent / "up.txt"]
    out["(written)"] = {"paths": [str(p) for p in landed if p.exists()]}
    return out


def _reason(f: dict) -> str:
    return " ".join(f["errors"] + f["reasons"])


def test_flat_bomb_members_are_refused_by_ratio(archive_report: dict[str, dict]):
    members = {p: f for p, f in archive_report.items() if p.startswith("flat-bomb.zip!")}
    assert sorted(members) == [f"flat-bomb.zip!zeros-{i}.txt" for i in range(3)]
    for f in members.values():
        assert f["status"] == "skipped" and "zip bomb" in _reason(f), f
    assert archive_report["flat-bomb.zip"]["status"] in ("partial", "scanned")


def test_nested_bomb_is_accounted_for_without_unpacking(archive_report: dict[str, dict]):
    nested = {p: f for p, f in archive_report.items() if p.startswith("nested-bomb.zip")}
    leaves = [p for p in nested if p.endswith("leaf.txt")]
    assert len(leaves) == 27  # 3 x 3 x 3, each named, none unpacked
    assert all(nested[p]["status"] == "skipped" and "ratio" in _reason(nested[p])
               for p in leaves)
    assert len(nested) == 1 + 3 + 9 + 27 + 27


def test_nesting_past_the_depth_limit_is_reported(archive_report: dict[str, dict]):
    deep = {p: f for p, f in archive_report.items() if p.startswith("deep.zip")}
    stopped = [f for f in deep.values() if f["status"] == "skipped"]
    assert len(stopped) == 1 and "max-depth" in _reason(stopped[0])
    assert not any(x["type"] == "US_SSN" for f in deep.values() for x in f["findings"])


def test_climbing_member_names_are_made_safe(archive_report: dict[str, dict]):
    members = sorted(p for p in archive_report if p.startswith("traversal.zip!"))
    assert len(members) == 5
    for p in members:
        inner = p.split("!", 1)[1]
        assert ".." not in inner.split("/") and not inner.startswith("/") and ":" not in inner
        assert archive_report[p]["status"] == "scanned"
        assert [x["type"] for x in archive_report[p]["findings"]] == ["EMAIL"]
    assert archive_report["(written)"]["paths"] == []  # nothing was written anywhere
