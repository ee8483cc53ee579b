"""Scan manifest for auditors (`--format manifest`): what was scanned, with what, and how
each file came out, without a single finding's value or excerpt.

It holds the tool version, each rule pack's SHA-256, the configuration's SHA-256 and, per
file, its path, size, SHA-256, status, label, verdict and finding count. `digest` is the
SHA-256 of the manifest's canonical JSON without `digest`; the scan's audit-log entry
(store/audit.py, hash-chained) records the same digest, so a manifest can be shown to be
complete and unaltered: recompute its digest (`verify_manifest`) and find it in a log
whose chain verifies (`dataclass-scan audit verify`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.model import ScanResult
from dataclass_scan.report import Reporter

MANIFEST_SCHEMA = "dataclass-scan/manifest/v1"


def _canonical(doc: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "digest"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8", "surrogatepass")


def manifest_dict(scan: ScanResult) -> dict[str, Any]:
    m = scan.meta
    statuses = Counter(f.status.value for f in scan.files)
    doc: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "tool": {"name": "dataclass-scan", "version": __version__},
        "scan": {"roots": list(m.roots), "started": m.started, "finished": m.finished,
                 "destination": m.destination},
        "rules": {"version": m.rules_version,
                  "packs": [{"name": n, "sha256": d} for n, d in m.pack_digests]
                  or [{"name": n, "sha256": None} for n in m.packs]},
        "config_sha256": m.config_digest or None,
        "summary": {"files": len(scan.files), "verdict": scan.verdict.value,
                    "by_status": dict(sorted(statuses.items())),
                    "findings": sum(f.finding_count for f in scan.files)},
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256,
                   "status": f.status.value, "label": f.label,
                   "verdict": f.verdict.value if f.verdict else None,
                   "findings": f.finding_count} for f in scan.files],
    }
    doc["digest"] = "sha256:" + hashlib.sha256(_canonical(doc)).hexdigest()
    return doc


def manifest_digest(scan: ScanResult) -> str:
    digest: str = manifest_dict(scan)["digest"]
    return digest


def verify_manifest(doc: Mapping[str, Any]) -> bool:
    """True when the manifest's `digest` matches its content."""
    expected = "sha256:" + hashlib.sha256(_canonical(doc)).hexdigest()
    return doc.get("schema") == MANIFEST_SCHEMA and doc.get("digest") == expected


class ManifestReporter(Reporter):
    def end(self, scan: ScanResult) -> None:
        json.dump(manifest_dict(scan), self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")
