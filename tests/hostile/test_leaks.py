"""Nothing leaks: plant known values, run the real CLI, then search everything it wrote
(every registered report format, the console, error messages, and any file it left in
its working folder, home, cache or temp folder) for the plaintext."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.keys import normalize_value
from dataclass_scan.report import formats
from fixtures.builder import PLANTED
from tests.hostile.conftest import (
    SECRET_TYPES,
    Run,
    Sandbox,
    leaks_in,
    make_sandbox,
    variants,
)


@dataclass
class Scanned:
    """One sandbox, scanned once in every format and on the console (shared by the tests
    below to keep the suite fast)."""

    box: Sandbox
    runs: dict[str, Run]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, leak_data: Path) -> Scanned:
    box = make_sandbox(tmp_path_factory.mktemp("leaks"), leak_data)
    existing = box.work / "report.json"
    existing.write_text("an old report\n")
    existing.chmod(0o644)  # a report that existed with wider permissions
    runs: dict[str, Run] = {}
    # Real processes (default worker pool, real stderr with any library logging) ...
    runs["json"] = box.run("scan", str(leak_data), "-f", "json", "-o",
                           str(box.work / "report.json"))
    runs["console-stdout"] = box.run("scan", str(leak_data))
    # The stores: baseline, inventory database, audit log (default: in the home folder),
    # and the other commands that print about findings.
    runs["baseline"] = box.run("baseline", "create", str(leak_data), "-o",
                               str(box.work / "baseline.json"))
    runs["scan-with-baseline"] = box.run("scan", str(leak_data), "--baseline",
                                         str(box.work / "baseline.json"))
    runs["inventory"] = box.run("inventory", str(leak_data), "--db",
                                str(box.work / "inventory.sqlite"), "--html",
                                str(box.work / "inventory.html"))
    runs["check"] = box.run("check", str(leak_data))
    # The incremental-scan cache (off by default in tests): written, then read back.
    for key in ("cache-write", "cache-read"):
        runs[key] = box.run("scan", str(leak_data), "-f", "json", "--cache",
                            str(box.work / "cache.sqlite"))
    # Exact data match: the table of values is the user's input; the .edm file made
    # from it must hold keyed hashes only.
    table = box.root / "edm-source" / "customers.csv"
    table.parent.mkdir()
    table.write_text(f"email,ssn\n{PLANTED['EMAIL']},{PLANTED['US_SSN']}\n")
    runs["edm"] = box.run("edm", "build", str(table), "--columns", "email,ssn", "-o",
                          str(box.work / "people.edm"))
    runs["scan-with-edm"] = box.run("scan", str(leak_data), "--edm",
                                    str(box.work / "people.edm"))
    # ... and every other format in this process (fast), with the same confined home,
    # working folder and temp folder.
    with pytest.MonkeyPatch.context() as mp:
        for key, value in box.env().items():
            if key.startswith(("HOME", "XDG_", "TMPDIR")):
                mp.setenv(key, value)
        mp.setenv("DATACLASS_SCAN_HOME", str(box.home / ".config" / "dataclass-scan"))
        mp.chdir(box.work)
        mp.setattr(tempfile, "tempdir", None)
        cli = CliRunner()
        for fmt in [f for f in formats() if f not in runs]:
            r = cli.invoke(app, ["scan", str(leak_data), "-f", fmt, "-o",
                                 str(box.work / f"report.{fmt}"), "-j", "1"])
            runs[fmt] = Run(r.exit_code, r.stdout, _stderr(r))
        r = cli.invoke(app, ["scan", str(leak_data), "-q", "-j", "1"])
        runs["quiet"] = Run(r.exit_code, r.stdout, _stderr(r))
    return Scanned(box, runs)


def _stderr(result: object) -> str:
    try:
        return str(result.stderr)  # type: ignore[attr-defined]
    except (ValueError, AttributeError):
        return ""


def _contents(path: Path) -> bytes:
    """A written file's bytes, and for a start-up cache entry (detect/startcache.py:
    a header line, then a zlib-compressed pickle) the pickle too."""
    data = path.read_bytes()
    if path.parent.name == "startup" and b"\n" in data:
        data += zlib.decompress(data.split(b"\n", 1)[1])
    return data


def _leaks(scanned: Scanned) -> list[str]:
    problems: list[str] = []
    for name, run in scanned.runs.items():
        for stream in ("stdout", "stderr"):
            hits = leaks_in(getattr(run, stream).encode())
            if hits:
                problems.append(f"{name} {stream}: {hits}")
    for path in scanned.box.written_files():
        hits = leaks_in(_contents(path))
        if hits:
            problems.append(f"{path.relative_to(scanned.box.root)}: {hits}")
    return problems


@pytest.mark.parametrize("fmt", formats())
def test_report_format_holds_no_planted_value(scanned: Scanned, fmt: str):
    run = scanned.runs[fmt]
    out = scanned.box.work / f"report.{fmt}"
    assert run.returncode == 1, run.stderr  # the example is blocked
    assert out.is_file() and out.stat().st_size > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    hits = leaks_in(out.read_bytes()) + leaks_in(run.stdout.encode() + run.stderr.encode())
    assert not hits, f"{fmt}: {hits}"


def test_nothing_the_tool_wrote_or_printed_holds_a_planted_value(scanned: Scanned):
    full, quiet = scanned.runs["console-stdout"], scanned.runs["quiet"]
    assert full.returncode == quiet.returncode == 1, full.stderr
    assert '"cached": true' in scanned.runs["cache-read"].stdout
    for store in ("baseline.json", "inventory.sqlite", "inventory.html", "people.edm",
                  "cache.sqlite"):
        assert (scanned.box.work / store).stat().st_size > 0, store
    assert any(p.name.startswith("audit") for p in scanned.box.written_files())
    assert scanned.runs["edm"].returncode == 0, scanned.runs["edm"].stderr
    assert scanned.runs["scan-with-edm"].returncode == 1, scanned.runs["scan-with-edm"].stderr
    assert "error" in full.stdout and "bad-cell.xlsx" in full.stdout  # errors are listed
    problems = _leaks(scanned)
    assert not problems, "planted values found in outputs:\n" + "\n".join(problems)


@pytest.mark.parametrize("fmt", formats())
def test_show_values_puts_the_values_in_every_format(leak_data: Path, tmp_path: Path,
                                                    fmt: str):
    """The positive control: the search above does find values when they are there."""
    out = tmp_path / f"report.{fmt}"
    r = CliRunner().invoke(app, ["scan", str(leak_data), "-f", fmt, "-o", str(out),
                                 "--show-values", "--force-show-values"])
    assert r.exit_code == 1, r.output
    data = out.read_bytes()
    if not leaks_in(data):
        # Only a format that carries no finding text at all (e.g. the audit manifest:
        # counts and digests) may show no value even when asked to.
        masked_ssn = b"***-**-" + PLANTED["US_SSN"][-4:].encode()
        assert masked_ssn not in data, f"{fmt} shows excerpts but not values with --show-values"


def test_error_messages_from_parsers_are_masked(leak_data: Path):
    r = CliRunner().invoke(app, ["scan", str(leak_data), "-f", "json"])
    files = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    for name in ("bad-cell.xlsx", "bad-type.docx", "bad-syntax.pdf", "bad.json"):
        assert files[name]["status"] == "error", files[name]
        assert files[name]["errors"], name  # a reason is given ...
        assert not leaks_in(json.dumps(files[name]).encode()), files[name]  # ... masked
    # The openpyxl message would have quoted the SSN; the masked form keeps its shape.
    assert "***-**-8145" in files["bad-cell.xlsx"]["errors"][0]


def test_secret_is_owner_only_and_hashes_are_keyed(scanned: Scanned):
    box = scanned.box
    key_file = box.home / ".config" / "dataclass-scan" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    secret = key_file.read_bytes()
    assert len(secret) >= 32
    report = json.loads((box.work / "report.json").read_text())
    findings = [x for f in report["files"] for x in f["findings"]]
    ssn = next(x for x in findings if x["type"] == "US_SSN")
    keyed = hmac.new(secret, f"US_SSN:{normalize_value(PLANTED['US_SSN'])}".encode(),
                     hashlib.sha256).hexdigest()
    assert ssn["value_hash"] == f"hmac-sha256:{keyed}"
    # No unkeyed digest of any planted value, in any form, appears anywhere.
    blobs = [r.stdout.encode() + r.stderr.encode() for r in scanned.runs.values()] + [
        p.read_bytes() for p in box.written_files() if p != key_file]
    for etype in SECRET_TYPES:
        for v in variants(PLANTED[etype]) | {normalize_value(PLANTED[etype])}:
            for material in (v, f"{etype}:{v}"):
                for algo in ("sha256", "sha1", "md5"):
                    digest = hashlib.new(algo, material.encode()).hexdigest()
                    assert not any(digest.encode() in b for b in blobs), (etype, v, algo)


def test_another_installation_gets_other_hashes(leak_data: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    def hashes(home: Path) -> set[str]:
        monkeypatch.setenv("DATACLASS_SCAN_HOME", str(home))
        r = CliRunner().invoke(app, ["scan", str(leak_data / "customers.csv"), "-f", "json"])
        return {x["value_hash"] for f in json.loads(r.stdout)["files"] for x in f["findings"]}

    one, two = hashes(tmp_path / "a"), hashes(tmp_path / "b")
    assert one and two and one.isdisjoint(two)


def test_every_file_the_tool_writes_is_owner_only(scanned: Scanned):
    box = scanned.box
    assert json.loads((box.work / "report.json").read_text())["schema"] == (
        "dataclass-scan/report/v1")
    wide = {str(p.relative_to(box.root)): oct(stat.S_IMODE(p.stat().st_mode))
            for p in box.written_files() if stat.S_IMODE(p.stat().st_mode) & 0o077}
    assert not wide, f"files readable by others: {wide}"
    leftovers = [p.name for p in box.work.iterdir() if p.name.endswith(".partial")]
    assert not leftovers
