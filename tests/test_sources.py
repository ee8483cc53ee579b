from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataclass_scan.config import Config
from dataclass_scan.sources.local import iter_local


def walk(root: Path, **kw) -> dict[str, str]:
    """path (relative to root) -> 'scan' | 'skip: reason' | 'error: reason'"""
    out = {}
    for item in iter_local(str(root), Config(**kw)):
        rel = os.path.relpath(item.path.rstrip("/"), root) + ("/" if item.path.endswith("/")
                                                               else "")
        if item.error:
            out[rel] = f"error: {item.error}"
        elif item.skip_reason:
            out[rel] = f"skip: {item.skip_reason}"
        else:
            out[rel] = "scan"
    return out


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.txt").write_text("x")
    (tmp_path / "a" / "debug.log").write_text("x")
    (tmp_path / "a" / "important.log").write_text("x")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text("x")
    (tmp_path / "secret.env").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / ".gitignore").write_text("*.log\n!important.log\nbuild/\n")
    (tmp_path / "a" / ".dataclassignore").write_text("keep.txt\n")
    return tmp_path


def test_gitignore_and_dataclassignore_honoured(tree: Path):
    got = walk(tree)
    assert got["a/debug.log"] == "skip: ignored by .gitignore"
    assert got["a/important.log"] == "scan"  # negation
    assert got["build/"] == "skip: ignored by .gitignore"
    assert got["a/keep.txt"] == "skip: ignored by a/.dataclassignore"
    assert got["secret.env"] == "scan"
    assert not any(k.startswith(".git/") for k in got)


def test_no_ignore_scans_everything(tree: Path):
    got = walk(tree, use_ignore_files=False)
    assert got["a/debug.log"] == got["build/out.txt"] == got["a/keep.txt"] == "scan"


def test_include_and_exclude(tree: Path):
    got = walk(tree, include=("*.txt",), use_ignore_files=False)
    assert set(got) == {"a/keep.txt", "build/out.txt"}
    got = walk(tree, exclude=("a/",), use_ignore_files=False)
    assert got["a/"] == "skip: excluded by --exclude"
    assert "a/keep.txt" not in got


def test_max_file_size(tmp_path: Path):
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    (tmp_path / "small.txt").write_bytes(b"x" * 10)
    got = walk(tmp_path, max_file_size=1000)
    assert got["big.txt"].startswith("skip: larger than --max-file-size")
    assert got["small.txt"] == "scan"


def test_symlinks_not_followed_by_default_and_loops_detected(tmp_path: Path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("x")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    (tmp_path / "link.txt").symlink_to(tmp_path / "d" / "f.txt")
    got = walk(tmp_path)
    assert got["d/loop"].startswith("skip: symbolic link not followed")
    assert got["link.txt"].startswith("skip: symbolic link not followed")
    got = walk(tmp_path, follow_symlinks=True)
    assert got["d/loop/"] == "skip: symbolic link loop: directory already visited"
    assert got["link.txt"] == "scan"


def test_fifo_is_skipped_not_opened(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe")
    assert walk(tmp_path)["pipe"] == "skip: not a regular file (fifo)"


def test_missing_root_is_an_error(tmp_path: Path):
    items = list(iter_local(str(tmp_path / "nope"), Config()))
    assert items[0].error == "no such file or directory"


def test_unreadable_directory_is_reported_and_walk_goes_on(tmp_path: Path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "open.txt").write_text("x")
    real_scandir = os.scandir

    def fake_scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr("dataclass_scan.sources.local.os.scandir", fake_scandir)
    got = walk(tmp_path)
    assert got["locked/"] == "error: Permission denied"
    assert got["open.txt"] == "scan"


def test_explicit_file_is_scanned_even_if_ignored(tree: Path):
    items = list(iter_local(str(tree / "a" / "debug.log"), Config()))
    assert len(items) == 1 and items[0].skip_reason is None


def test_undecodable_file_name_is_shown_escaped_and_scanned_twice(tmp_path: Path):
    """A name that is not UTF-8 once crashed the cache and the audit log."""
    import json

    from typer.testing import CliRunner

    from dataclass_scan.cli import app

    tmp_path = tmp_path / "tree"
    tmp_path.mkdir()
    raw = os.fsencode(tmp_path) + b"/bad\xff.txt"
    with open(raw, "wb") as fh:
        fh.write(b"mail jane.doe@acme-corp.com\n")
    (item,) = list(iter_local(str(tmp_path), Config()))
    assert item.path.endswith("bad\\xff.txt")
    item.path.encode("utf-8")
    for cached in (False, True):
        r = CliRunner().invoke(app, ["scan", str(tmp_path), "-f", "json",
                                     "--cache", str(tmp_path.parent / "names-cache.sqlite")])
        assert r.exit_code == 0, r.output
        (f,) = json.loads(r.stdout)["files"]
        assert f["path"].endswith("bad\\xff.txt") and f["findings"][0]["type"] == "EMAIL"
        assert bool(f.get("cached")) is cached
