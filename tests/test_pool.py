from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.api import build_context, scan
from dataclass_scan.cli import app
from dataclass_scan.config import Config, parse_duration
from dataclass_scan.errors import ConfigError
from dataclass_scan.extract import get_extractor as real_get_extractor
from dataclass_scan.model import Item, Status
from dataclass_scan.pool import Limits, ProcessRunner
from dataclass_scan.runner import SerialRunner, make_runner
from dataclass_scan.sources import iter_items


def _comparable(results):
    return [
        (r.path, r.format, r.status, r.label, r.verdict, r.reasons, r.errors,
         [(f.rule, f.location, f.excerpt, f.value_hash, f.confidence) for f in r.findings])
        for r in results
    ]


def _tree(root: Path, n: int = 30) -> Path:
    for i in range(n):
        sub = root / f"d{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        body = f"note {i}\n"
        if i % 3 == 0:
            body += f"mail user{i}@example-corp.com\n"
        if i % 5 == 0:
            body += "SSN: 536-22-8145\n"
        (sub / f"f{i:03}.txt").write_text(body)
    (root / "skip.bin").write_bytes(b"\x00\x01" * 100)
    return root


def test_pool_results_equal_serial_results_in_input_order(tmp_path, example_dir):
    root = _tree(tmp_path / "tree")
    config = Config()
    ctx = build_context(config)
    items = list(iter_items([str(root), str(example_dir)], config))
    serial = list(SerialRunner().run(items, ctx))
    pooled = list(ProcessRunner(jobs=3).run(items, ctx))
    assert _comparable(pooled) == _comparable(serial)
    assert len(pooled) >= len(items)
    assert any(r.findings for r in pooled)


def test_make_runner_jobs_one_is_in_process():
    assert isinstance(make_runner(Config(jobs=1)), SerialRunner)
    runner = make_runner(Config(jobs=3, timeout=7, max_memory=10**9))
    assert isinstance(runner, ProcessRunner)
    assert runner.jobs == 3 and runner.limits == Limits(timeout=7, max_memory=10**9)


def _patched(monkeypatch, behaviours):
    """Make files whose name is a key of `behaviours` run that function in the worker."""

    def get_extractor(fmt):
        real = real_get_extractor(fmt)

        def extract(item, xctx):
            action = behaviours.get(item.name)
            if action is not None:
                action()
            return real(item, xctx)

        return extract

    monkeypatch.setattr("dataclass_scan.runner.get_extractor", get_extractor)


def _files(root: Path, names: list[str]) -> list[Item]:
    root.mkdir()
    for name in names:
        (root / name).write_text("contact jane.doe@acme-corp.com\n")
    return list(iter_items([str(root)], Config()))


def test_hung_file_times_out_and_the_scan_goes_on(tmp_path, monkeypatch):
    _patched(monkeypatch, {"b-hang.txt": lambda: time.sleep(60)})
    items = _files(tmp_path / "t", ["a.txt", "b-hang.txt", "c.txt", "d.txt"])
    ctx = build_context(Config())
    start = time.monotonic()
    results = list(ProcessRunner(jobs=2, limits=Limits(timeout=1.0)).run(items, ctx))
    assert time.monotonic() - start < 30
    by_name = {Path(r.path).name: r for r in results}
    assert [Path(r.path).name for r in results] == ["a.txt", "b-hang.txt", "c.txt", "d.txt"]
    assert by_name["b-hang.txt"].status is Status.TIMEOUT
    assert "--timeout" in by_name["b-hang.txt"].errors[0]
    for name in ("a.txt", "c.txt", "d.txt"):
        assert by_name[name].status is Status.SCANNED
        assert by_name[name].findings[0].type == "EMAIL"


def test_file_over_memory_ceiling_is_too_large_and_worker_replaced(tmp_path, monkeypatch):
    hoard = []

    def balloon():
        for _ in range(400):  # up to 4 GB in 10 MB steps, touched so it is resident
            hoard.append(bytearray(os.urandom(16)) * (10 * 1024 * 1024 // 16))
            time.sleep(0.005)

    _patched(monkeypatch, {"big.txt": balloon})
    items = _files(tmp_path / "m", ["a.txt", "big.txt", "c.txt"])
    ctx = build_context(Config())
    results = list(ProcessRunner(jobs=1, limits=Limits(timeout=60, max_memory=300 * 10**6))
                   .run(items, ctx))
    statuses = {Path(r.path).name: r for r in results}
    assert statuses["big.txt"].status is Status.ERROR
    assert statuses["big.txt"].errors[0].startswith("too-large")
    assert statuses["a.txt"].status is Status.SCANNED
    assert statuses["c.txt"].status is Status.SCANNED  # a fresh worker took over


def test_worker_that_dies_is_reported_and_replaced(tmp_path, monkeypatch):
    _patched(monkeypatch, {"crash.txt": lambda: os._exit(7)})
    items = _files(tmp_path / "c", ["a.txt", "crash.txt", "z.txt"])
    results = list(ProcessRunner(jobs=2).run(items, build_context(Config())))
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["crash.txt"].status is Status.ERROR
    assert "exit code 7" in by_name["crash.txt"].errors[0]
    assert by_name["z.txt"].status is Status.SCANNED


def test_scan_api_uses_the_pool_and_matches_jobs_one(tmp_path, example_dir):
    one = scan([str(example_dir)], Config(jobs=1))
    many = scan([str(example_dir)], Config(jobs=2))
    assert _comparable(one.files) == _comparable(many.files)


@pytest.mark.parametrize("text,seconds", [("30", 30.0), ("1.5m", 90.0), ("500ms", 0.5),
                                          ("2h", 7200.0), ("0", 0.0), (12, 12.0)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "-1", "5 minutes", -3])
def test_parse_duration_rejects(bad):
    with pytest.raises(ConfigError):
        parse_duration(bad)


def test_cli_limit_options(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("hello\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["scan", str(tmp_path), "--jobs", "2", "--timeout", "30s",
                             "--max-memory", "1GB", "-q"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["scan", str(tmp_path), "--timeout", "soon"])
    assert bad.exit_code == 2 and "invalid duration" in bad.output
    bad = runner.invoke(app, ["scan", str(tmp_path), "--max-memory", "lots"])
    assert bad.exit_code == 2
    bad = runner.invoke(app, ["scan", str(tmp_path), "--jobs", "0"])
    assert bad.exit_code == 2


def test_config_file_limit_keys(tmp_path):
    from dataclass_scan.config import load_config

    (tmp_path / ".dataclass-scan.toml").write_text(
        'jobs = 3\ntimeout = "45s"\nmax-memory = "800MB"\n')
    config = load_config(cwd=tmp_path)
    assert (config.jobs, config.timeout, config.max_memory) == (3, 45.0, 800 * 10**6)
    (tmp_path / ".dataclass-scan.toml").write_text("jobs = 0\n")
    with pytest.raises(ConfigError):
        load_config(cwd=tmp_path)
