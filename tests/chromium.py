"""Run Debian's chromium headless for report tests (no network, fresh profile)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]


def chromium_binary() -> str:
    for name in (os.environ.get("DCS_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    if os.environ.get("DCS_REQUIRE_CHROMIUM") == "1":
        pytest.fail("chromium is required (DCS_REQUIRE_CHROMIUM=1) but not installed")
    pytest.skip("chromium not installed (apt-get install chromium)")


def run(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="dcs-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args,
                               page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=120)


def console_lines(stderr: str) -> list[str]:
    """Every console message the page produced (errors, CSP violations, logs)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]
