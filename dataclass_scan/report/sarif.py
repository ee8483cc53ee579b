"""SARIF 2.1.0 for code-scanning platforms (GitHub, GitLab, Azure DevOps).

One rule per rule id with its description and help; one result per finding, placed at the
file (an archive member is placed at its outer file, the member named as a logical
location), with line/column where known and page, sheet, cell, paragraph or JSON pointer
as logical locations. Level: the file's verdict (block -> error, review -> warning,
allow -> note), one step lower for a low-confidence finding. Files that could not be read
are tool execution notifications. Raw values never appear unless forced (see
`check_show_values`).
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from dataclass_scan import __version__
from dataclass_scan.model import Confidence, FileResult, Finding, ScanResult, Status, Verdict
from dataclass_scan.report import Reporter
from dataclass_scan.report.tabular import more_findings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/dataclass-scan/dataclass-scan"
_LEVELS = ("note", "warning", "error")
_VERDICT_LEVEL = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}
# GitHub orders code-scanning alerts by this (0.0-10.0).
_SEVERITY = {"secret": "9.0", "financial": "8.0", "health": "8.0", "pii": "7.0",
             "marking": "4.0"}
_CATEGORY_HELP = {
    "secret": "A credential in a file lets anyone who reads it act as its owner. Remove it "
              "from the file, rotate it, and keep it out of anything handed to an AI tool.",
    "financial": "Payment and bank data is regulated (PCI DSS, banking secrecy). Remove or "
                 "tokenise it before the file is shared with an AI tool.",
    "health": "Health data is a special category of personal data. Remove or pseudonymise "
              "it before the file is shared with an AI tool.",
    "pii": "Personal data identifies a person. Check whether the AI destination may receive "
           "it; remove, mask or pseudonymise it otherwise.",
    "marking": "The document carries a sensitivity marking chosen by its author. Respect "
               "the marking's handling rules before sharing it.",
}


def _rule_index() -> dict[str, Any]:
    """Rule metadata by id from the built-in packs (a saved report may name others)."""
    from dataclass_scan.detect.rulepack import load_packs
    from dataclass_scan.errors import DataclassScanError

    try:
        return {r.id: r for p in load_packs([], examples=False) for r in p.rules}
    except DataclassScanError:
        return {}


def artifact_uri(path: str) -> tuple[str, str | None]:
    """(uri of the outer file, member chain inside it or None)."""
    outer, sep, member = path.partition("!")
    if PureWindowsPath(outer).drive or outer.startswith("/"):
        posix = outer.replace("\\", "/")
        uri = "file://" + ("/" if not posix.startswith("/") else "") + quote(
            posix, safe="/:", errors="surrogateescape")
    else:
        uri = quote(str(PurePosixPath(outer.replace("\\", "/"))), errors="surrogateescape")
    return uri, (member if sep else None)


def finding_level(result: FileResult, finding: Finding) -> str:
    rank = _VERDICT_LEVEL.get(result.verdict, 0) if result.verdict else 0
    if finding.confidence is Confidence.LOW:
        rank -= 1
    return _LEVELS[max(rank, 0)]


class SarifReporter(Reporter):
    shared = True

    def end(self, scan: ScanResult) -> None:
        json.dump(self.document(scan), self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")

    def document(self, scan: ScanResult) -> dict[str, Any]:
        known = _rule_index()
        rule_ids: dict[str, int] = {}
        rules: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for f in scan.files:
            for x in f.findings:
                if x.rule not in rule_ids:
                    rule_ids[x.rule] = len(rules)
                    rules.append(self._rule(x, known.get(x.rule)))
                results.append(self._result(f, x, rule_ids[x.rule]))
        notifications = [self._notification(f) for f in scan.files
                         if f.status not in (Status.SCANNED, Status.SKIPPED)]
        # --max-findings: results list a file's first findings; say how many more it has.
        notifications += [self._omitted(f) for f in scan.files if f.omitted]
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "dataclass-scan", "version": __version__,
                    "semanticVersion": __version__, "informationUri": INFO_URI,
                    "rules": rules,
                }},
                "invocations": [{
                    "executionSuccessful": not scan.incomplete,
                    **({"startTimeUtc": scan.meta.started} if scan.meta.started else {}),
                    **({"endTimeUtc": scan.meta.finished} if scan.meta.finished else {}),
                    "toolExecutionNotifications": notifications,
                }],
                "results": results,
                "properties": {
                    "destination": scan.meta.destination,
                    "verdict": scan.verdict.value,
                    "rulePacks": list(scan.meta.packs),
                    "rulesVersion": scan.meta.rules_version,
                },
            }],
        }

    @staticmethod
    def _rule(x: Finding, rule: Any) -> dict[str, Any]:
        name = getattr(rule, "name", "") or x.type.replace("_", " ").title()
        desc = getattr(rule, "description", "") or f"Finds {x.type} values ({x.category})."
        help_text = _CATEGORY_HELP.get(x.category, "Check whether this value may be shared "
                                       "with the AI destination; remove or mask it otherwise.")
        pack = getattr(rule, "pack", "")
        return {
            "id": x.rule,
            "name": "".join(p.title() for p in x.rule.replace("-", ".").split(".") if p),
            "shortDescription": {"text": f"{name} ({x.type})"},
            "fullDescription": {"text": desc},
            "help": {"text": help_text,
                     "markdown": f"**{name}** (`{x.type}`, {x.category}): {desc}\n\n{help_text}"},
            "defaultConfiguration": {"level": "warning"},
            "properties": {
                "tags": ["security", "privacy", x.category, x.type],
                "security-severity": _SEVERITY.get(x.category, "5.0"),
                **({"pack": pack} if pack else {}),
            },
        }

    def _result(self, f: FileResult, x: Finding, index: int) -> dict[str, Any]:
        uri, member = artifact_uri(f.path)
        loc = x.location
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if loc.line is not None:
            region: dict[str, Any] = {"startLine": loc.line}
            if loc.column is not None:
                region["startColumn"] = loc.column
            if x.excerpt:
                region["snippet"] = {"text": x.excerpt}
            physical["region"] = region
        logical = self._logical(member, x)
        where = f"{f.path}{loc.render()}"
        text = (f"{x.type} ({x.confidence.value} confidence) at {where}: {x.excerpt}. "
                f"File labelled {f.label or 'unlabelled'}, verdict "
                f"{f.verdict.value if f.verdict else 'none'}.")
        location: dict[str, Any] = {"physicalLocation": physical}
        if logical:
            location["logicalLocations"] = logical
        out: dict[str, Any] = {
            "ruleId": x.rule,
            "ruleIndex": index,
            "level": finding_level(f, x),
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {"valueHash/v1": x.value_hash.rpartition(":")[2]},
            "properties": {"entityType": x.type, "category": x.category,
                           "confidence": x.confidence.value, "label": f.label,
                           "verdict": f.verdict.value if f.verdict else None,
                           "location": loc.to_dict()},
        }
        if self.options.show_values and x.value:
            out["properties"]["value"] = x.value
        return out

    @staticmethod
    def _logical(member: str | None, x: Finding) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if member:
            out.append({"name": member.rsplit("!", 1)[-1], "fullyQualifiedName": member,
                        "kind": "member"})
        loc = x.location
        if loc.sheet is not None:
            fq = f"{loc.sheet}!{loc.cell}" if loc.cell else loc.sheet
            out.append({"name": loc.cell or loc.sheet, "fullyQualifiedName": fq,
                        "kind": "cell" if loc.cell else "sheet"})
        elif loc.cell is not None:
            out.append({"name": loc.cell, "fullyQualifiedName": f"cell {loc.cell}",
                        "kind": "cell"})
        for key in ("page", "slide", "paragraph"):
            value = getattr(loc, key)
            if value is not None:
                out.append({"name": f"{key} {value}", "kind": key})
        if loc.part is not None:
            out.append({"name": loc.part, "fullyQualifiedName": loc.part, "kind": "part"})
        return out

    @staticmethod
    def _notification(f: FileResult) -> dict[str, Any]:
        uri, _ = artifact_uri(f.path)
        why = "; ".join(f.errors) or f.status.value
        return {
            "level": "error" if f.status in (Status.ERROR, Status.TIMEOUT) else "warning",
            "message": {"text": f"{f.path}: {f.status.value}: {why}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            "properties": {"status": f.status.value},
        }

    @staticmethod
    def _omitted(f: FileResult) -> dict[str, Any]:
        uri, _ = artifact_uri(f.path)
        return {
            "level": "note",
            "message": {"text": f"{f.path}: {more_findings(f)}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            "properties": {"findingsOmitted": f.findings_omitted},
        }
