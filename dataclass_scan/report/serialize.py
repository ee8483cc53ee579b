"""The v1 JSON contract (`dataclass-scan/report/v1`) as plain dicts, shared by reporters."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.errors import ReportFormatError
from dataclass_scan.model import (
    Confidence,
    FileResult,
    Finding,
    FindingCount,
    Location,
    ScanMeta,
    ScanResult,
    Status,
    Verdict,
)

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
        **({"findings_omitted": r.findings_omitted,
            "omitted": [omitted_dict(c) for c in r.omitted]} if r.omitted else {}),
        "errors": list(r.errors),
        **({"cached": True} if r.cached else {}),
    }


def omitted_dict(c: FindingCount) -> dict[str, Any]:
    """Findings of one kind beyond --max-findings (their value hashes stay in the cache)."""
    out: dict[str, Any] = {"rule": c.rule, "type": c.type, "category": c.category,
                           "confidence": c.confidence.value, "count": c.count}
    if c.header_footer:
        out["header_footer"] = True
    return out


def summary_dict(scan: ScanResult) -> dict[str, Any]:
    statuses = Counter(f.status for f in scan.files)
    by_label = Counter(f.label for f in scan.files if f.label)
    by_type: Counter[str] = Counter()
    for f in scan.files:
        by_type.update(f.type_counts())
    by_verdict = Counter(f.verdict.value for f in scan.files if f.verdict)
    out: dict[str, Any] = {
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
        "findings": sum(f.finding_count for f in scan.files),
    }
    omitted = sum(f.findings_omitted for f in scan.files)
    if omitted:  # counted, not listed (--max-findings)
        out["findings_omitted"] = omitted
    cached = sum(1 for f in scan.files if f.cached)
    if cached:  # results reused from the incremental-scan cache
        out["cached"] = cached
    if scan.suppressed:  # findings a baseline suppressed (scan --baseline)
        out["suppressed"] = scan.suppressed
    return out


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
            "rules": {"packs": list(m.packs), "version": m.rules_version,
                      **({"digests": dict(m.pack_digests)} if m.pack_digests else {})},
            **({"config_sha256": m.config_digest} if m.config_digest else {}),
        },
        "summary": summary_dict(scan),
        "files": [file_dict(f, show_values) for f in scan.files],
    }


def scan_from_dict(data: Mapping[str, Any]) -> ScanResult:
    """Rebuild a ScanResult from a v1 report dict (the inverse of `report_dict`).

    Raw values come back only if the report was written with --show-values. Raises
    ReportFormatError when the document is not a v1 report.
    """
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA_ID:
        found = data.get("schema") if isinstance(data, Mapping) else type(data).__name__
        raise ReportFormatError(f"not a {SCHEMA_ID} report (schema: {found!r})")
    try:
        scan = data["scan"]
        meta = ScanMeta(
            roots=tuple(str(r) for r in scan["roots"]),
            started=str(scan.get("started", "")),
            finished=str(scan.get("finished", "")),
            destination=scan.get("destination"),
            packs=tuple(str(p) for p in scan.get("rules", {}).get("packs", ())),
            rules_version=str(scan.get("rules", {}).get("version", "")),
            pack_digests=tuple((str(k), str(v)) for k, v in
                               scan.get("rules", {}).get("digests", {}).items()),
            config_digest=str(scan.get("config_sha256", "")),
        )
        files = tuple(_file_from_dict(f) for f in data["files"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportFormatError(f"malformed {SCHEMA_ID} report: {type(exc).__name__}: "
                                f"{exc}") from None
    return ScanResult(files=files, meta=meta)


def _file_from_dict(d: Mapping[str, Any]) -> FileResult:
    verdict = d.get("verdict")
    return FileResult(
        path=str(d["path"]),
        format=str(d.get("format", "")),
        status=Status(d["status"]),
        size=int(d.get("size") or 0),
        sha256=d.get("sha256"),
        label=d.get("label"),
        declared_label=d.get("declared_label"),
        verdict=Verdict(verdict) if verdict else None,
        reasons=tuple(str(r) for r in d.get("reasons", ())),
        findings=tuple(_finding_from_dict(x) for x in d.get("findings", ())),
        omitted=tuple(_omitted_from_dict(x) for x in d.get("omitted", ())),
        errors=tuple(str(e) for e in d.get("errors", ())),
    )


def _omitted_from_dict(d: Mapping[str, Any]) -> FindingCount:
    return FindingCount(rule=str(d["rule"]), type=str(d["type"]),
                        category=str(d.get("category", "")),
                        confidence=Confidence(d["confidence"]), count=int(d["count"]),
                        header_footer=bool(d.get("header_footer", False)))


def _finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(
        rule=str(d["rule"]),
        type=str(d["type"]),
        category=str(d.get("category", "")),
        confidence=Confidence(d["confidence"]),
        location=Location.from_dict(d.get("location") or {}),
        excerpt=str(d.get("excerpt", "")),
        value_hash=str(d.get("value_hash", "")),
        value=str(d.get("value", "")),
    )


def report_has_values(data: Mapping[str, Any]) -> bool:
    """True when a saved report carries raw values (it was written with --show-values)."""
    return any("value" in x for f in data.get("files", ()) for x in f.get("findings", ()))


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a saved v1 JSON report (or a complete `--format jsonl` stream);
    ReportFormatError names the file when it is not one."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ReportFormatError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ReportFormatError(f"{path}: not JSON: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise ReportFormatError(f"{path}: not JSON: {exc}") from None
        data = _from_jsonl(path, text)
    if isinstance(data, dict) and data.get("record") == "summary":  # a stream of no files
        data = _from_jsonl(path, text)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
        raise ReportFormatError(f"{path}: not a {SCHEMA_ID} report")
    return data


def _from_jsonl(path: str | Path, text: str) -> dict[str, Any]:
    """A JSON Lines report back into the v1 document: file records, then the summary."""
    files: list[dict[str, Any]] = []
    summary: dict[str, Any] | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"{path}:{n}: not JSON: {exc.msg}") from None
        kind = rec.pop("record", None) if isinstance(rec, dict) else None
        if kind == "file":
            files.append(rec)
        elif kind == "summary":
            summary = rec
        else:
            raise ReportFormatError(f"{path}:{n}: not a dataclass-scan JSON Lines record")
    if summary is None:
        raise ReportFormatError(f"{path}: JSON Lines report without its closing summary "
                                "record (the scan did not finish)")
    return {**summary, "files": files}
