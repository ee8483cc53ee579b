from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest

from dataclass_scan.api import build_context, scan
from dataclass_scan.config import Config, load_config
from dataclass_scan.model import Item, Status
from dataclass_scan.runner import process_item
from dataclass_scan.sources.archive import safe_member_name
from fixtures.builder import write_docx, write_pdf
from fixtures.formats import (
    EMAIL,
    SSN,
    tar_bytes,
    write_aes_zip,
    write_gzip,
    write_tar,
    write_zip,
    zip_bomb_bytes,
    zip_bytes,
)


def run(path: Path, config: Config | None = None):
    ctx = build_context(config or Config())
    return {r.path: r for r in process_item(
        Item(path=str(path), size=path.stat().st_size, fs_path=str(path)), ctx)}


def types(result) -> set[str]:
    return {f.type for f in result.findings}


def test_nested_zip_pdf_with_locations(tmp_path: Path):
    pdf = tmp_path / "c.pdf"
    write_pdf(pdf, [["intro"], ["contact", f"SSN {SSN}"]])
    inner = zip_bytes({"docs/contract.pdf": pdf.read_bytes(), "notes.txt": b"nothing here\n"})
    outer = write_zip(tmp_path / "outer.zip", {"inner.zip": inner, "mail.txt": EMAIL.encode()})
    results = run(outer)
    key = f"{outer}!inner.zip!docs/contract.pdf"
    assert results[str(outer)].format == "zip"
    assert results[str(outer)].status is Status.SCANNED
    assert results[f"{outer}!inner.zip"].format == "zip"
    hit = [f for f in results[key].findings if f.type == "US_SSN"][0]
    assert (hit.location.page, hit.location.line) == (2, 2)
    assert "EMAIL" in types(results[f"{outer}!mail.txt"])


def test_zip_named_dat_is_read_as_zip(tmp_path: Path):
    p = write_zip(tmp_path / "blob.dat", {"a.txt": f"ssn {SSN}\n".encode()})
    results = run(p)
    assert results[str(p)].format == "zip"
    assert "US_SSN" in types(results[f"{p}!a.txt"])


def test_tar_tgz_and_gz(tmp_path: Path):
    members = {"dir/people.csv": f"name,ssn\nJane,{SSN}\n".encode()}
    tar = write_tar(tmp_path / "a.tar", members)
    tgz = write_tar(tmp_path / "a.tgz", members, mode="w:gz")
    tbz = write_tar(tmp_path / "a.tar.bz2", members, mode="w:bz2")
    txz = write_tar(tmp_path / "a.tar.xz", members, mode="w:xz")
    for p, fmt in ((tar, "tar"), (tgz, "gzip"), (tbz, "bzip2"), (txz, "xz")):
        results = run(p)
        assert results[str(p)].format == fmt, p
        hit = next(f for f in results[f"{p}!dir/people.csv"].findings if f.type == "US_SSN")
        assert hit.type == "US_SSN" and hit.location.cell == "B2"
    gz = write_gzip(tmp_path / "log.txt.gz", f"line1\nuser {EMAIL}\n".encode())
    results = run(gz)
    hit = results[f"{gz}!log.txt"].findings[0]
    assert hit.type == "EMAIL" and hit.location.line == 2


def test_gzip_original_name_from_header(tmp_path: Path):
    gz = write_gzip(tmp_path / "blob.gz", f"ssn {SSN}\n".encode(), inner_name="orig.txt")
    assert f"{gz}!orig.txt" in run(gz)


def test_zip_bomb_ratio_is_reported_and_scan_goes_on(tmp_path: Path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_bomb_bytes(8 * 1024 * 1024))
    (tmp_path / "after.txt").write_text(f"ssn {SSN}\n")
    result = scan([str(tmp_path)], Config())
    by_path = {f.path: f for f in result.files}
    arch = by_path[str(bomb)]
    assert arch.status is Status.PARTIAL
    assert any("archive-max-ratio" in e for e in arch.errors)
    assert by_path[f"{bomb}!zeros.bin"].status is Status.SKIPPED
    assert by_path[str(tmp_path / "after.txt")].findings


def test_total_and_entry_limits_are_configurable(tmp_path: Path):
    members = {f"f{i}.txt": (f"row {i} {EMAIL}\n" * 200).encode() for i in range(20)}
    p = write_zip(tmp_path / "many.zip", members)
    results = run(p, Config(archive_max_entries=5))
    assert results[str(p)].status is Status.PARTIAL
    assert "archive-max-entries" in results[str(p)].errors[0]
    assert len([k for k in results if "!" in k]) == 5
    results = run(p, Config(archive_max_total=20_000))
    assert "archive-max-total" in results[str(p)].errors[0]
    assert 0 < len([k for k in results if "!" in k]) < 20


def test_archive_limits_from_config_file(tmp_path: Path):
    cfg = tmp_path / ".dataclass-scan.toml"
    cfg.write_text('archive-max-total = "10MB"\narchive-max-entries = 50\n'
                   "archive-max-ratio = 80\n")
    config = load_config(cfg)
    assert (config.archive_max_total, config.archive_max_entries,
            config.archive_max_ratio) == (10_000_000, 50, 80)


@pytest.mark.parametrize("name,shown", [
    ("/etc/passwd", "etc/passwd"),
    ("../../outside/secret.txt", "outside/secret.txt"),
    ("C:\\Windows\\x.txt", "Windows/x.txt"),
    ("a/./b/../c.txt", "a/b/c.txt"),
])
def test_member_names_cannot_escape(name: str, shown: str):
    assert safe_member_name(name) == shown


def test_traversal_names_are_display_only(tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.txt", f"ssn {SSN}\n")
        zf.writestr("/abs.txt", "plain\n")
    p = tmp_path / "t.zip"
    p.write_bytes(buf.getvalue())
    results = run(p)
    assert "US_SSN" in types(results[f"{p}!evil.txt"])
    assert results[f"{p}!evil.txt"].source["member"] == "../../evil.txt"
    assert f"{p}!abs.txt" in results
    assert not (tmp_path.parent / "evil.txt").exists()


def test_encrypted_zip_member_with_and_without_password(tmp_path: Path):
    p = write_aes_zip(tmp_path / "locked.zip", {"secret.txt": f"ssn {SSN}\n".encode()},
                      password="hunter2")
    results = run(p)
    assert results[f"{p}!secret.txt"].status is Status.ENCRYPTED
    results = run(p, Config(passwords=("wrong", "hunter2")))
    assert "US_SSN" in types(results[f"{p}!secret.txt"])
    assert "hunter2" not in repr(Config(passwords=("hunter2",)))


def test_corrupt_zip_is_an_error_not_a_crash(tmp_path: Path):
    p = tmp_path / "bad.zip"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    results = run(p)
    assert results[str(p)].status is Status.ERROR


def test_truncated_tgz_keeps_what_was_read(tmp_path: Path):
    data = tar_bytes({"a.txt": f"ssn {SSN}\n".encode(), "b.txt": b"x" * 50000}, mode="w:gz")
    p = tmp_path / "cut.tgz"
    p.write_bytes(data[: len(data) // 2 + 40])
    results = run(p)
    assert results[str(p)].status in (Status.PARTIAL, Status.ERROR)


def test_docx_inside_zip_is_a_docx(tmp_path: Path):
    d = tmp_path / "c.docx"
    write_docx(d, ["hello", f"mail {EMAIL}"])
    p = write_zip(tmp_path / "pack.zip", {"x/contract.docx": d.read_bytes()})
    results = run(p)
    r = results[f"{p}!x/contract.docx"]
    assert r.format == "docx" and r.findings[0].location.paragraph == 2


def test_max_depth_applies_to_nested_archives(tmp_path: Path):
    data = f"ssn {SSN}\n".encode()
    for i in range(4):
        data = zip_bytes({f"level{i}.zip" if i else "leaf.txt": data})
    p = tmp_path / "deep.zip"
    p.write_bytes(data)
    ctx = build_context(Config(max_depth=2))
    results = process_item(Item(path=str(p), size=len(data), fs_path=str(p)), ctx)
    assert results[-1].status is Status.SKIPPED and "max-depth" in results[-1].reasons[0]
    ctx = dataclasses.replace(ctx, config=Config())
    results = process_item(Item(path=str(p), size=len(data), fs_path=str(p)), ctx)
    assert results[-1].path.endswith("!leaf.txt") and results[-1].findings
