"""The installed console script and `python -m` work in a real subprocess, and importing
the CLI does not load document libraries (fast start)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def test_console_script_runs_a_scan(example_dir: Path):
    exe = shutil.which("dataclass-scan")
    if exe is None:
        pytest.skip("console script not installed (pip install -e .)")
    proc = subprocess.run([exe, "scan", str(example_dir), "-f", "json"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["verdict"] == "block"


def test_python_dash_m(example_dir: Path):
    proc = subprocess.run([sys.executable, "-m", "dataclass_scan", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "dataclass-scan" in proc.stdout


def test_cli_import_does_not_load_document_libraries():
    code = ("import sys, dataclass_scan.cli; "
            "print(','.join(m for m in ('pdfplumber','docx','openpyxl','pdfminer') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == ""


def test_library_api(example_dir: Path):
    from dataclass_scan import scan
    from dataclass_scan.config import Config

    result = scan([example_dir], Config(destination="enterprise-ai"))
    assert result.meta.destination == "enterprise-ai"
    assert result.verdict.value == "block"


def test_built_wheel_ships_rule_packs_and_report_schema(tmp_path: Path):
    import zipfile

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path), str(root)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("dataclass_scan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "dataclass_scan/schemas/report-v1.schema.json" in names
    assert "dataclass_scan/rules/pii-core.yml" in names
