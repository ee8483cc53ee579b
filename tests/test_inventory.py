"""Inventory of the bundled example: two scans in SQLite, no values stored, an HTML view,
and the diff between the scans (from the database and from saved JSON reports)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.store.inventory import FileState, diff, file_type_of, folder_of
from fixtures.builder import EXAMPLE_EXPECTED, PLANTED

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture()
def estate(example_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(example_dir, root)
    return root


def change_estate(root: Path) -> None:
    (root / "release-notes.md").write_text(f"Employee SSN {PLANTED['US_SSN']}\n",
                                           encoding="utf-8")  # Public -> Restricted
    (root / "customers.csv").write_text("id,city\n1,Leeds\n", encoding="utf-8")  # cleaned
    (root / "payroll.xlsx").unlink()  # a sensitive file removed


def test_inventory_two_scans_and_diff(estate: Path, tmp_path: Path):
    db, page = tmp_path / "inv.sqlite", tmp_path / "inv.html"
    r = invoke("inventory", str(estate), "--db", str(db))
    assert r.exit_code == 0, r.output
    before = tmp_path / "before.json"
    assert invoke("scan", str(estate), "-f", "json", "-o", str(before)).exit_code == 1
    change_estate(estate)
    r = invoke("inventory", str(estate), "--db", str(db), "--html", str(page))
    assert r.exit_code == 0, r.output
    assert "scan 2 recorded" in r.output

    assert db.stat().st_mode & 0o077 == 0 and page.stat().st_mode & 0o077 == 0
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM scans")] == [1, 2]
        files = conn.execute("SELECT COUNT(*) FROM files WHERE scan_id = 1").fetchone()[0]
        assert files == len(EXAMPLE_EXPECTED)
        owners = {r[0] for r in conn.execute("SELECT DISTINCT owner FROM files")}
        assert None not in owners and owners
        types = dict(conn.execute("SELECT type, SUM(count) FROM file_types WHERE scan_id = 1 "
                                  "AND path LIKE '%meeting-notes.txt' GROUP BY type"))
        assert set(types) == set(EXAMPLE_EXPECTED["meeting-notes.txt"])
        dump = "\n".join(conn.iterdump())
    for value in PLANTED.values():
        if value != PLANTED["MARKING"]:
            assert value not in dump
    assert "hmac-sha256" not in dump and "***" not in dump

    r = invoke("diff", "--db", str(db), "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    name = {k: [Path(x["path"]).name for x in d[k]] for k in
            ("became_sensitive", "label_changed", "cleaned", "removed_sensitive")}
    assert name == {"became_sensitive": ["release-notes.md"], "label_changed": [],
                    "cleaned": ["customers.csv"], "removed_sensitive": ["payroll.xlsx"]}
    assert d["became_sensitive"][0]["new"]["label"] == "Restricted"
    text = invoke("diff", "--db", str(db))
    assert text.exit_code == 0 and "became sensitive: 1" in text.stdout

    after = tmp_path / "after.json"
    assert invoke("scan", str(estate), "-f", "json", "-o", str(after)).exit_code == 1
    r = invoke("diff", str(before), str(after), "-f", "json")
    assert r.exit_code == 0, r.output
    d2 = json.loads(r.stdout)
    for key in ("became_sensitive", "cleaned", "removed_sensitive", "label_changed"):
        assert [x["path"] for x in d2[key]] == [x["path"] for x in d[key]], key

    html = page.read_text(encoding="utf-8")
    for heading in ("Totals by label", "Totals by entity type", "By folder", "By owner",
                    "By file type", "Largest exposures", "Scan history"):
        assert heading in html
    assert "script-src 'none'" in html and "<script" not in html
    exposures = html.split("Largest exposures")[1].split("</table>")[0]
    order = [exposures.index(n) for n in ("meeting-notes.txt", "statement.pdf",
                                          "release-notes.md")]  # 4, 2, 1 findings
    assert order == sorted(order)


def test_diff_needs_two_scans(estate: Path, tmp_path: Path):
    db = tmp_path / "one.sqlite"
    assert invoke("inventory", str(estate), "--db", str(db), "-q").exit_code == 0
    r = invoke("diff", "--db", str(db))
    assert r.exit_code == 2 and "diff needs two" in r.output
    assert invoke("diff").exit_code == 2
    r = invoke("diff", "--db", str(tmp_path / "missing.sqlite"))
    assert r.exit_code == 2 and "no such inventory" in r.output
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    r = invoke("inventory", str(estate), "--db", str(bad))
    assert r.exit_code == 2 and "not a usable inventory" in r.output


def test_diff_rules():
    def s(label, rank, status="scanned"):
        return FileState(label, rank, None, status, 0)

    old = {"a": s("Public", 0), "b": s("Restricted", 3), "c": s("Internal", 1),
           "d": s(None, None, "error"), "e": s("Internal", 1)}
    new = {"a": s("Internal", 1), "b": s("Public", 0), "c": s("Restricted", 3),
           "d": s("Internal", 1), "f": s("Confidential", 2)}
    d = diff(old, new)
    assert [x["path"] for x in d["became_sensitive"]] == ["a", "f"]
    assert [x["path"] for x in d["cleaned"]] == ["b"]
    assert [x["path"] for x in d["label_changed"]] == ["c", "d"]
    assert [x["path"] for x in d["removed_sensitive"]] == ["e"]


@pytest.mark.parametrize(("path", "folder", "ftype"), [
    ("data/hr/pay.XLSX", "data/hr", "xlsx"),
    ("top.txt", ".", "txt"),
    ("a/b.zip!in/c.pdf", "a", "pdf"),
    ("a/.bashrc", "a", "(none)"),
    ("a/Makefile", "a", "(none)"),
])
def test_folder_and_type(path, folder, ftype):
    assert folder_of(path) == folder and file_type_of(path) == ftype


def test_undecodable_file_name_is_recorded(tmp_path: Path):
    import dataclasses

    from dataclass_scan.store.inventory import connect, record_scan, snapshot_from_db
    from tests.report_canon import canonical_scan

    scan = canonical_scan()
    odd = dataclasses.replace(scan.files[0], path="data/bad\udcff.xlsx")
    scan = dataclasses.replace(scan, files=(odd, *scan.files[1:]))
    with connect(tmp_path / "inv.sqlite") as db:
        sid = record_scan(db, scan, ("Public", "Internal", "Confidential", "Restricted"))
        snap = snapshot_from_db(db, sid)
    assert snap["data/bad\\xff.xlsx"].label == "Restricted"
