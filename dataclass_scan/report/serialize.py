"""The v1 JSON contract (`dataclass-scan/report/v1`) as plain dicts, shared by reporters."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.model import FileResult, Finding, ScanResult, Status

SCHEMA_ID = "dataclass-scan/report/v1"


def finding_dict(f: Finding, show_values: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "type": f.type,
        "category": f.category,
        "confidence": f.confidence.value,
        "location": f.location.to_dict(),
        "excerpt": f.excerpt,
        "value_hash": f.value_hash,
    }
    if show_values and f.value:
        out["value"] = f.value
    return out


def file_dict(r: FileResult, show_values: bool) -> dict[str, Any]:
    return {
        "path": r.path,
        "format": r.format,
        "status": r.status.value,
        "size": r.size,
        "sha256": r.sha256,
        "label": r.label,
        "declared_label": r.declared_label,
        "verdict": r.verdict.value if r.verdict else None,
        "reasons": list(r.reasons),
        "findings": [finding_dict(f, show_values) for f in r.findings],
        "errors": list(r.errors),
    }


def summary_dict(scan: ScanResult) -> dict[str, Any]:
    statuses = Counter(f.status for f in scan.files)
    by_label = Counter(f.label for f in scan.files if f.label)
    by_type = Counter(x.type for f in scan.files for x in f.findings)
    by_verdict = Counter(f.verdict.value for f in scan.files if f.verdict)
    return {
        "files": len(scan.files),
        "scanned": statuses[Status.SCANNED] + statuses[Status.PARTIAL],
        "skipped": statuses[Status.SKIPPED],
        "errors": sum(
            statuses[s]
            for s in (Status.ERROR, Status.ENCRYPTED, Status.UNSUPPORTED, Status.TIMEOUT)
        ),
        "verdict": scan.verdict.value,
        "by_status": {s.value: n for s, n in sorted(statuses.items(), key=lambda kv: kv[0].value)},
        "by_label": dict(sorted(by_label.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_verdict": dict(sorted(by_verdict.items())),
        "findings": sum(len(f.findings) for f in scan.files),
    }


def report_dict(scan: ScanResult, show_values: bool = False) -> dict[str, Any]:
    m = scan.meta
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "dataclass-scan", "version": __version__},
        "scan": {
            "roots": list(m.roots),
            "started": m.started,
            "finished": m.finished,
            "destination": m.destination,
            "rules": {"packs": list(m.packs), "version": m.rules_version},
        },
        "summary": summary_dict(scan),
        "files": [file_dict(f, show_values) for f in scan.files],
    }
