from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from fixtures.builder import build_example

# Property tests explore new random examples on every local run; in CI (CI=true) they
# replay a fixed, derandomized set, so a landing never depends on the luck of the draw.
# A counterexample found locally becomes a named regression test.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the per-installation secret and any state out of the real home folder."""
    home = tmp_path_factory.getbasetemp() / "dcs-home"
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(home))
    # Tests opt in to the incremental-scan cache with an explicit cache file.
    monkeypatch.setenv("DATACLASS_SCAN_CACHE", "off")
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example")
    build_example(out)
    return out


@pytest.fixture()
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scan in-process (as --jobs 1): CLI tests over a handful of small files need no
    worker pool, and starting one per invocation dominates their run time."""
    from dataclass_scan.runner import SerialRunner

    monkeypatch.setattr("dataclass_scan.api.make_runner", lambda config: SerialRunner())


@pytest.fixture(scope="module")
def hyperscan_for_short_texts():
    """The native dictionary and name passes (detect/hsliterals.py) for texts of any
    length, not only those of MIN_TEXT (MIN_DICTIONARY_TEXT) characters and more, for a
    whole test module
    (`pytestmark = pytest.mark.usefixtures("hyperscan_for_short_texts")`)."""
    from dataclass_scan.detect import hsliterals

    saved = hsliterals.MIN_TEXT, hsliterals.MIN_DICTIONARY_TEXT
    hsliterals.MIN_TEXT = hsliterals.MIN_DICTIONARY_TEXT = 0
    yield
    hsliterals.MIN_TEXT, hsliterals.MIN_DICTIONARY_TEXT = saved
