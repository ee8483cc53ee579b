"""Shared helpers for the hostile-input suite: run the real CLI in a subprocess with its
state (home, config, cache, temp) confined to a throw-away folder, then list every file
it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.builder import PLANTED, build_example
from fixtures.hostile import LEAKY_ERROR_FILES


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Sandbox:
    """A working folder, a home folder and an input folder for one CLI run."""

    root: Path
    data: Path

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DATACLASS_SCAN", "XDG_"))}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_STATE_HOME=str(self.home / ".local/state"),
            TMPDIR=str(self.root / "tmp"),
            NO_COLOR="1",
            PYTHONWARNINGS="default",
        )
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 180, env: dict[str, str] | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "dataclass_scan", *args],
            cwd=self.work, env=env or self.env(), capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL, umask=0o022,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def written_files(self) -> list[Path]:
        """Every file the tool may have written: in its working folder, its home (config,
        cache, state) and the temp folder. Inputs live elsewhere."""
        out: list[Path] = []
        for base in (self.work, self.home, self.root / "tmp"):
            out.extend(p for p in sorted(base.rglob("*")) if p.is_file())
        return out


def make_sandbox(root: Path, data: Path) -> Sandbox:
    box = Sandbox(root=root, data=data)
    for d in (box.work, box.home, root / "tmp"):
        d.mkdir(parents=True, exist_ok=True)
    return box


@pytest.fixture
def sandbox(tmp_path: Path, leak_data: Path) -> Sandbox:
    return make_sandbox(tmp_path / "box", leak_data)


@pytest.fixture(scope="session")
def leak_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example plus files whose parse errors would quote planted values."""
    out = tmp_path_factory.mktemp("leak-data")
    build_example(out)
    for name, build in LEAKY_ERROR_FILES.items():
        build(out / name)
    return out


def variants(value: str) -> set[str]:
    """Forms a planted value may take in an output: as planted, without separators,
    digits only (for values that are mostly digits)."""
    out = {value, value.replace(" ", ""), value.replace(" ", "").replace("-", "")}
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 9:
        out.add(digits)
    return out


# Markings are shown on purpose (they are labels, not secrets); IPs and emails are masked
# like the rest.
SECRET_TYPES = sorted(k for k in PLANTED if k != "MARKING")


def leaks_in(data: bytes) -> list[str]:
    """The planted values (any variant, UTF-8 or UTF-16) found in `data`."""
    found = []
    for etype in SECRET_TYPES:
        for v in variants(PLANTED[etype]):
            if v.encode() in data or v.encode("utf-16-le") in data:
                found.append(f"{etype}={v}")
    return found
