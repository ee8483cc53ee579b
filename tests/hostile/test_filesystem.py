"""Hostile file systems: symlink loops, FIFOs, device files (even behind a followed
symlink), folders and files the scanning user may not read, and files that vanish or
change between the walk and the read. Each ends with a status and a reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dataclass_scan.api as api
from dataclass_scan.cli import app
from fixtures.builder import PLANTED


def scan(*args: str) -> tuple[int, dict[str, dict]]:
    r = CliRunner().invoke(app, ["scan", *args, "-f", "json", "-j", "1"])
    assert r.exit_code in (0, 1, 3), r.output
    rep = json.loads(r.stdout)
    return r.exit_code, {f["path"]: f for f in rep["files"]}


def _why(f: dict) -> str:
    return " ".join(f["errors"] + f["reasons"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_device_and_symlink_loop(tmp_path: Path):
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "notes.txt").write_text(f"mail {PLANTED['EMAIL']}\n")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self-link").symlink_to(root / "self-link")  # a link to itself
    os.mkfifo(root / "pipe")
    (root / "zero").symlink_to("/dev/zero")
    (root / "null").symlink_to("/dev/null")
    code, files = scan(str(root), "--follow-symlinks", "--max-file-size", "1MB")
    by_name = {Path(p.rstrip("/")).name: f for p, f in files.items()}
    assert by_name["pipe"]["status"] == "skipped" and "fifo" in _why(by_name["pipe"])
    for dev in ("zero", "null"):
        assert by_name[dev]["status"] == "skipped" and "device" in _why(by_name[dev]), dev
    assert by_name["loop"]["status"] == "skipped" and "loop" in _why(by_name["loop"])
    assert by_name["self-link"]["status"] in ("error", "skipped")
    assert _why(by_name["self-link"])
    assert by_name["notes.txt"]["status"] == "scanned"
    assert code == 1 or code == 3


def test_device_named_directly_is_not_read(tmp_path: Path):
    code, files = scan("/dev/zero")
    (f,) = files.values()
    assert f["status"] == "skipped" and "device" in _why(f)


def test_permission_denied_files_and_folders(tmp_path: Path, monkeypatch):
    """CI runs as root, which reads everything: the operating system's refusals are
    simulated where the scanner meets them (listing a folder, opening a file)."""
    import dataclass_scan.model as model

    root = tmp_path / "perm"
    (root / "locked-dir").mkdir(parents=True)
    (root / "locked-dir" / "inside.txt").write_text("hidden\n")
    (root / "locked.txt").write_text(f"ssn {PLANTED['US_SSN']}\n")
    (root / "open.txt").write_text(f"mail {PLANTED['EMAIL']}\n")
    denied = {str(root / "locked-dir"), str(root / "locked.txt")}
    real_scandir, real_open = os.scandir, model._open_regular

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def open_regular(path: str):  # type: ignore[no-untyped-def]
        if str(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(model, "_open_regular", open_regular)
    code, files = scan(str(root))
    by_name = {Path(p.rstrip("/")).name: f for p, f in files.items()}
    assert code == 3  # incomplete: some files could not be read
    assert by_name["locked.txt"]["status"] == "error"
    assert "ermission denied" in _why(by_name["locked.txt"])
    assert by_name["locked-dir"]["status"] == "error"
    assert "ermission denied" in _why(by_name["locked-dir"])
    assert by_name["open.txt"]["status"] == "scanned"


def test_file_vanishing_between_walk_and_read(tmp_path: Path, monkeypatch):
    root = tmp_path / "vanish"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(f"mail {PLANTED['EMAIL']}\n")
    real_scan = api.scan

    def deleting_scan(paths, config, **kw):  # type: ignore[no-untyped-def]
        def on_item(item):  # type: ignore[no-untyped-def]
            if item.path.endswith("b.txt"):
                os.unlink(item.fs_path)
        return real_scan(paths, config, on_item=on_item,
                         **{k: v for k, v in kw.items() if k != "on_item"})

    monkeypatch.setattr(api, "scan", deleting_scan)
    code, files = scan(str(root))
    by_name = {Path(p).name: f for p, f in files.items()}
    assert set(by_name) == {"a.txt", "b.txt", "c.txt"}
    assert by_name["b.txt"]["status"] == "error" and _why(by_name["b.txt"])
    assert by_name["a.txt"]["status"] == by_name["c.txt"]["status"] == "scanned"
    assert code == 3


def test_file_changing_between_walk_and_read(tmp_path: Path, monkeypatch):
    """Grown past the size limit and swapped for a FIFO after the walk: the scan must
    neither read past the limit nor block on the pipe."""
    root = tmp_path / "change"
    root.mkdir()
    (root / "grows.txt").write_text("small\n")
    (root / "swapped.txt").write_text("small\n")
    (root / "z-last.txt").write_text(f"mail {PLANTED['EMAIL']}\n")
    real_scan = api.scan

    def changing_scan(paths, config, **kw):  # type: ignore[no-untyped-def]
        def on_item(item):  # type: ignore[no-untyped-def]
            if item.path.endswith("grows.txt"):
                with open(item.fs_path, "a") as fh:
                    fh.write(("x" * 1023 + "\n") * 3000 + f"ssn {PLANTED['US_SSN']}\n")
            if item.path.endswith("swapped.txt") and hasattr(os, "mkfifo"):
                os.unlink(item.fs_path)
                os.mkfifo(item.fs_path)
        return real_scan(paths, config, on_item=on_item,
                         **{k: v for k, v in kw.items() if k != "on_item"})

    monkeypatch.setattr(api, "scan", changing_scan)
    code, files = scan(str(root), "--max-file-size", "1MB")
    by_name = {Path(p).name: f for p, f in files.items()}
    assert set(by_name) == {"grows.txt", "swapped.txt", "z-last.txt"}
    grows = by_name["grows.txt"]
    assert grows["status"] in ("partial", "scanned", "skipped", "error")
    assert not any(x["type"] == "US_SSN" for x in grows["findings"])  # not read past 1MB
    if hasattr(os, "mkfifo"):
        assert by_name["swapped.txt"]["status"] in ("error", "skipped")
        assert _why(by_name["swapped.txt"])
    assert by_name["z-last.txt"]["status"] == "scanned"
