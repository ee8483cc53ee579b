"""Ctrl-C and SIGTERM stop a scan cleanly: the documented exit code (130 / 143), no
report that looks complete, no temporary file left, no worker left running, and an
inventory database left as the last complete scan wrote it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

SLOW_RULE = """pack: slow
rules:
  - id: slow.backtrack
    type: SLOW
    category: custom
    patterns: ['(a|aa)+$']
"""


@pytest.fixture(scope="module")
def slow_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Files that each hold a pattern up for its whole time limit: a scan of them takes
    about a minute, so a signal always lands mid-scan."""
    root = tmp_path_factory.mktemp("slow")
    data = root / "data"
    data.mkdir()
    (data / "0-quick.txt").write_text("nothing to hold anything up\n")  # first result fast
    for i in range(60):
        (data / f"trap-{i:02d}.txt").write_text("a" * 64 + "!\n")
    rules = root / "slow.yml"
    rules.write_text(SLOW_RULE)
    return data, rules


def _start(args: list[str], cwd: Path, mark: str) -> subprocess.Popen[str]:
    env = dict(os.environ, DCS_INTERRUPT_MARK=mark, NO_COLOR="1")
    return subprocess.Popen([sys.executable, "-m", "dataclass_scan", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def _wait_for(predicate, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def _processes_with(mark: str) -> list[int]:
    """Live processes started for this test (the CLI and its workers inherit the mark)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if f"DCS_INTERRUPT_MARK={mark}".encode() in env and state != "Z":
            pids.append(int(entry.name))
    return pids


def _workers_started(mark: str) -> bool:
    return len(_processes_with(mark)) >= 2  # the CLI and at least one worker


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_scan_leaves_no_report_that_looks_complete(
        slow_tree: tuple[Path, Path], tmp_path: Path, sig: signal.Signals, code: int):
    data, rules = slow_tree
    report = tmp_path / "report.json"
    report.write_text('{"previous": "report"}\n')
    mark = uuid.uuid4().hex
    proc = _start(["scan", str(data), "--rules", str(rules), "-f", "json", "-o", str(report),
                   "-j", "2"], tmp_path, mark)
    try:
        _wait_for(lambda: _workers_started(mark) or proc.poll() is not None)
        time.sleep(1.0)  # let the workers pick up files
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert f"interrupted by {sig.name}" in err
    assert "Traceback" not in err
    assert report.read_text() == '{"previous": "report"}\n'  # untouched, not half-written
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    _wait_for(lambda: not _processes_with(mark), limit=10)  # no worker outlives the scan


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_interrupted_stream_has_no_closing_summary(slow_tree: tuple[Path, Path],
                                                   tmp_path: Path):
    data, rules = slow_tree
    stream = tmp_path / "scan.jsonl"
    mark = uuid.uuid4().hex
    proc = _start(["scan", str(data), "--rules", str(rules), "-f", "jsonl", "-o", str(stream),
                   "-j", "2"], tmp_path, mark)
    try:
        _wait_for(lambda: (stream.exists() and stream.read_text().count("\n") >= 1)
                  or proc.poll() is not None, limit=120)
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    records = [json.loads(line) for line in stream.read_text().splitlines()]
    assert records and all(r["record"] == "file" for r in records)  # no "summary" record
    assert len(records) < 61


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_interrupted_inventory_keeps_the_database_consistent(slow_tree: tuple[Path, Path],
                                                             tmp_path: Path,
                                                             example_dir: Path):
    data, rules = slow_tree
    db = tmp_path / "inventory.sqlite"
    first = subprocess.run([sys.executable, "-m", "dataclass_scan", "inventory",
                            str(example_dir), "--db", str(db), "-q", "-j", "1"],
                           capture_output=True, text=True, timeout=120)
    assert first.returncode in (0, 3), first.stderr

    def counts() -> dict[str, int]:
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                    for t in tables}

    before = counts()
    mark = uuid.uuid4().hex
    proc = _start(["inventory", str(data), "--rules", str(rules), "--db", str(db), "-q",
                   "-j", "2"], tmp_path, mark)
    try:
        _wait_for(lambda: _workers_started(mark) or proc.poll() is not None)
        time.sleep(1.0)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert counts() == before
    assert not Path(str(db) + "-journal").exists()
