"""Scanning local files opens no network connection: a sitecustomize in the child
process makes every connect/send/resolve raise and leaves a marker file behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from tests.hostile.conftest import Sandbox

GUARD = '''
import os, socket

_MARK = os.environ["DCS_NET_MARK"]

def _blocked(*args, **kwargs):
    with open(_MARK, "a") as fh:
        fh.write(repr(args[:2])[:200] + "\\n")
    raise OSError("network blocked by the dataclass-scan test suite")

socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.socket.sendto = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
'''


def _guarded_env(sandbox: Sandbox, tmp_path: Path) -> tuple[dict[str, str], Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD)
    mark = tmp_path / "network-attempts.txt"
    env = sandbox.env(DCS_NET_MARK=str(mark))
    env["PYTHONPATH"] = str(site) + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env, mark


def test_the_guard_itself_blocks_and_records(sandbox: Sandbox, tmp_path: Path):
    import subprocess

    env, mark = _guarded_env(sandbox, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "network blocked" in proc.stderr
    assert mark.exists()


def test_scanning_local_files_opens_no_connection(sandbox: Sandbox, tmp_path: Path):
    env, mark = _guarded_env(sandbox, tmp_path)
    run = sandbox.run("scan", str(sandbox.data), "-f", "json", "-o",
                      str(sandbox.work / "r.json"), env=env)
    assert run.returncode == 1, run.stderr
    assert not mark.exists(), f"network attempts: {mark.read_text()}"


def test_in_process_scan_with_sockets_blocked(leak_data: Path, monkeypatch: pytest.MonkeyPatch):
    import socket

    attempts: list[object] = []

    def blocked(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:2])
        raise OSError("network blocked")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    r = CliRunner().invoke(app, ["scan", str(leak_data), "-f", "json"])
    assert r.exit_code == 1, r.output
    assert attempts == []
