"""The scan manifest for auditors: complete, free of values, its digest recorded in the
hash-chained audit log of the scan that produced it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app
from dataclass_scan.report.manifest import manifest_dict, verify_manifest
from tests.report_canon import canonical_scan

runner = CliRunner()


def test_manifest_lists_every_file_with_hash_and_status():
    scan = canonical_scan()
    doc = manifest_dict(scan)
    assert [f["path"] for f in doc["files"]] == [f.path for f in scan.files]
    assert [f["sha256"] for f in doc["files"]] == [f.sha256 for f in scan.files]
    assert doc["files"][7]["status"] == "encrypted"
    assert doc["rules"]["packs"][0] == {"name": "pii-core",
                                        "sha256": scan.meta.pack_digests[0][1]}
    assert doc["config_sha256"] == scan.meta.config_digest
    assert "excerpt" not in json.dumps(doc) and "value_hash" not in json.dumps(doc)
    assert verify_manifest(doc)


def test_tampered_manifest_does_not_verify():
    doc = manifest_dict(canonical_scan())
    doc["files"][0]["status"] = "skipped"
    assert not verify_manifest(doc)
    doc = manifest_dict(canonical_scan())
    del doc["files"][-1]
    assert not verify_manifest(doc)


def test_manifest_digest_is_chained_into_the_audit_log(example_dir: Path, tmp_path: Path):
    log, out = tmp_path / "audit.jsonl", tmp_path / "manifest.json"
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "manifest", "-o", str(out),
                            "--audit-log", str(log)])
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert verify_manifest(doc)
    assert len(doc["rules"]["packs"]) >= 3
    assert all(len(p["sha256"]) == 64 for p in doc["rules"]["packs"])
    assert len(doc["config_sha256"]) == 64
    entry = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["event"] == "scan" and entry["data"]["manifest"] == doc["digest"]
    r = runner.invoke(app, ["audit", "verify", str(log)])
    assert r.exit_code == 0, r.output


def test_same_settings_same_config_hash(example_dir: Path):
    def digest(*extra: str) -> str:
        r = runner.invoke(app, ["scan", str(example_dir), "-f", "json", *extra])
        return json.loads(r.stdout)["scan"]["config_sha256"]

    assert digest() == digest()
    assert digest() != digest("--max-file-size", "1MB")
