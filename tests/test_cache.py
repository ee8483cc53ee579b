from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.api import scan
from dataclass_scan.cli import app
from dataclass_scan.config import Config
from dataclass_scan.model import Status

SSN = "536-22-8145"
EMAIL = "jane.doe@acme-corp.com"


def _tree(root: Path) -> Path:
    root.mkdir()
    (root / "a.txt").write_text(f"SSN: {SSN}\nmail {EMAIL}\n")
    (root / "b.txt").write_text("nothing to see\n")
    (root / "c.csv").write_text(f"name,ssn\nAnn,{SSN}\n")
    old = time.time() - 3600  # not "racy": modified well before it was cached
    for f in root.iterdir():
        os.utime(f, (old, old))
    return root


def _view(result):
    return [(f.path, f.status, f.label, f.verdict, f.reasons, f.errors, f.sha256,
             [(x.rule, x.location, x.excerpt, x.value_hash, x.confidence) for x in f.findings])
            for f in result.files]


def test_second_scan_reuses_results_and_they_are_identical(tmp_path):
    root = _tree(tmp_path / "t")
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=1)
    first = scan([str(root)], config)
    second = scan([str(root)], config)
    assert not any(f.cached for f in first.files)
    assert all(f.cached for f in second.files)
    assert _view(first) == _view(second)
    fresh = scan([str(root)], Config(cache=False))
    assert _view(fresh) == _view(second) and not any(f.cached for f in fresh.files)


def test_changed_file_is_scanned_again(tmp_path):
    root = _tree(tmp_path / "t")
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=1)
    scan([str(root)], config)
    (root / "b.txt").write_text(f"now with {EMAIL}\n")  # new size and mtime
    second = {Path(f.path).name: f for f in scan([str(root)], config).files}
    assert second["b.txt"].cached is False and second["b.txt"].findings
    assert second["a.txt"].cached is True


def test_same_size_change_within_the_racy_window_is_detected(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    f = root / "x.txt"
    f.write_text("code 111-11-1111\n")
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=1)
    scan([str(root)], config)
    st = f.stat()
    f.write_text(f"SSN: {SSN}\n")  # same length
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # and even the same mtime
    again = scan([str(root)], config).files[0]
    assert again.cached is False and again.findings[0].type == "US_SSN"


def test_rule_or_destination_change_invalidates(tmp_path):
    root = _tree(tmp_path / "t")
    cache = tmp_path / "c.sqlite"
    scan([str(root)], Config(cache_file=cache, jobs=1))
    other = scan([str(root)], Config(cache_file=cache, jobs=1, destination="enterprise-ai"))
    assert not any(f.cached for f in other.files)
    rules = tmp_path / "extra.yml"
    rules.write_text("pack: extra\nrules:\n  - id: extra.word\n    type: CUSTOM_WORD\n"
                     "    category: custom\n    patterns: ['nothing']\n")
    extra = scan([str(root)], Config(cache_file=cache, jobs=1, rules=(rules,)))
    assert not any(f.cached for f in extra.files)
    assert any(x.rule == "extra.word" for f in extra.files for x in f.findings)


def test_cache_holds_no_plaintext_and_is_owner_only(tmp_path):
    root = _tree(tmp_path / "t")
    cache = tmp_path / "home" / "c.sqlite"
    scan([str(root)], Config(cache_file=cache, jobs=2))
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    blob = b"".join(p.read_bytes() for p in cache.parent.iterdir())
    for value in (SSN, SSN.replace("-", ""), EMAIL, "536228145"):
        assert value.encode() not in blob
    rows = sqlite3.connect(cache).execute("SELECT count(*) FROM entries").fetchone()[0]
    assert rows == 3


def test_show_values_and_errors_bypass_the_cache(tmp_path):
    root = _tree(tmp_path / "t")
    cache = tmp_path / "c.sqlite"
    scan([str(root)], Config(cache_file=cache, show_values=True, jobs=1))
    assert not cache.exists()
    (root / "gone").mkdir()
    os.symlink(root / "missing", root / "gone" / "dangling.txt")
    first = scan([str(root)], Config(cache_file=cache, jobs=1, follow_symlinks=True))
    second = scan([str(root)], Config(cache_file=cache, jobs=1, follow_symlinks=True))
    broken = [f for f in second.files if f.status is Status.ERROR]
    assert broken and not any(f.cached for f in broken)
    assert len(first.files) == len(second.files)


def test_unusable_cache_file_turns_the_cache_off_not_the_scan(tmp_path):
    root = _tree(tmp_path / "t")
    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    result = scan([str(root)], Config(cache_file=bad, jobs=1))
    assert [f.status for f in result.files] == [Status.SCANNED] * 3


def test_cli_no_cache_and_json_marks_cached(tmp_path):
    import json

    root = _tree(tmp_path / "t")
    cache = tmp_path / "c.sqlite"
    runner = CliRunner()
    args = ["scan", str(root), "-f", "json", "--fail-on", "never", "--cache", str(cache)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = json.loads(runner.invoke(app, args).output)
    assert second["summary"]["cached"] == 3
    assert all(f["cached"] is True for f in second["files"])
    third = json.loads(runner.invoke(app, [*args, "--no-cache"]).output)
    assert "cached" not in third["summary"]
    assert not any("cached" in f for f in third["files"])


def test_default_location_and_env_switch(tmp_path, monkeypatch):
    from dataclass_scan.store.cache import cache_path

    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATACLASS_SCAN_CACHE")
    assert cache_path(Config()) == tmp_path / "home" / "cache.sqlite"
    assert cache_path(Config(cache=False)) is None
    assert cache_path(Config(show_values=True)) is None
    monkeypatch.setenv("DATACLASS_SCAN_CACHE", "off")
    assert cache_path(Config()) is None
    assert cache_path(Config(cache_file=tmp_path / "x.db")) == tmp_path / "x.db"
    monkeypatch.setenv("DATACLASS_SCAN_CACHE", str(tmp_path / "y.db"))
    assert cache_path(Config()) == tmp_path / "y.db"
    root = _tree(tmp_path / "t")
    scan([str(root)], Config(jobs=1))
    assert all(f.cached for f in scan([str(root)], Config(jobs=1)).files)
    assert (tmp_path / "y.db").exists()


def test_fingerprint_is_the_same_in_every_process(tmp_path):
    """Sets iterate in a different order in each process (hash randomisation)."""
    import subprocess
    import sys

    code = ("from dataclass_scan.api import build_context; from dataclass_scan.config import "
            "Config; from dataclass_scan.store.cache import fingerprint; "
            "print(fingerprint(build_context(Config())))")
    prints = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
              for seed in ("1", "2", "3")}
    assert len(prints) == 1


def test_rescan_answered_from_the_cache_builds_no_engine_and_starts_no_worker(
        tmp_path, monkeypatch):
    root = _tree(tmp_path / "t")
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=2)
    first = scan([str(root)], config)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("every file is cached: nothing needs an engine or a worker")

    monkeypatch.setattr("dataclass_scan.detect.engine.Engine", refuse)
    monkeypatch.setattr("dataclass_scan.pool._Worker", refuse)
    second = scan([str(root)], config)
    assert all(f.cached for f in second.files)
    assert _view(first) == _view(second)


@pytest.mark.parametrize("jobs", [1, 2])
def test_entries_read_in_chunks_answer_hits_and_misses_across_folders(tmp_path, monkeypatch,
                                                                      jobs):
    monkeypatch.setattr("dataclass_scan.store.cache.PREFETCH", 2)  # chunks end mid-folder
    root = tmp_path / "many"
    for d in range(3):
        for i in range(3):
            f = root / f"d{d}" / f"f{i}.txt"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(f"row {d}{i} SSN: {SSN}\n" if i != 1 else f"plain {d}{i}\n")
    old = time.time() - 3600
    for f in root.rglob("*.txt"):
        os.utime(f, (old, old))
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=jobs)
    scan([str(root)], config)
    (root / "d1" / "f1.txt").write_text(f"now mail {EMAIL}\n")
    second = scan([str(root)], config)
    assert [(Path(f.path).parent.name + "/" + Path(f.path).name, f.cached)
            for f in second.files] == [
        (f"d{d}/f{i}.txt", (d, i) != (1, 1)) for d in range(3) for i in range(3)]
    assert _view(second) == _view(scan([str(root)], Config(cache=False, jobs=jobs)))


def test_items_without_the_walks_stat_are_checked_with_their_own(tmp_path):
    """Items from other sources (or library callers) carry no modification time: the
    cache stats the file itself before trusting an entry."""
    from dataclass_scan.api import build_context
    from dataclass_scan.model import Item
    from dataclass_scan.store.cache import ScanCache, fingerprint

    root = _tree(tmp_path / "t")
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=1)
    scan([str(root)], config)
    f = root / "a.txt"
    item = Item(path=str(f), size=f.stat().st_size, fs_path=str(f))
    assert item.mtime_ns is None
    cache = ScanCache(tmp_path / "c.sqlite", fingerprint(build_context(config)))
    hit = cache.lookup(item)
    assert hit is not None and hit[0].cached and hit[0].findings
    os.utime(f, None)  # touched now: same size, new mtime
    assert cache.lookup(item) is None
    cache.close()


def test_prefilter_engine_is_not_part_of_the_cache_key(tmp_path):
    """Every prefilter engine gives the same results, so switching does not rescan."""
    root = _tree(tmp_path / "t")
    scan([str(root)], Config(cache_file=tmp_path / "c.sqlite", jobs=1))
    again = scan([str(root)], Config(cache_file=tmp_path / "c.sqlite", jobs=1,
                                     prefilter="python"))
    assert all(f.cached for f in again.files)
