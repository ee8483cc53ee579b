"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One test case per file: a blocked file is a failure, a file that could not be fully
read is an error, a skipped file is skipped, an allowed or reviewed file passes (a review
is noted in its output). The failure text lists masked findings with their locations.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from dataclass_scan.model import INCOMPLETE_STATUSES, FileResult, ScanResult, Status, Verdict
from dataclass_scan.report import Reporter
from dataclass_scan.report.tabular import clean, shown_value, where

MAX_LINES = 50


class JunitReporter(Reporter):
    def end(self, scan: ScanResult) -> None:
        dest = scan.meta.destination or "default"
        suite = ET.Element("testsuite", name=f"dataclass-scan {dest}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for f in scan.files:
            counts["tests"] += 1
            kind = self._case(suite, f, dest)
            if kind:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
        if scan.meta.started:
            suite.set("timestamp", scan.meta.started)
        root = ET.Element("testsuites", name="dataclass-scan",
                          **{k: str(v) for k, v in counts.items()})
        root.append(suite)
        ET.indent(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(root, encoding="unicode"))
        self.out.write("\n")

    def _case(self, suite: ET.Element, f: FileResult, dest: str) -> str:
        case = ET.SubElement(suite, "testcase", classname=f"dataclass-scan.{clean(dest)}",
                             name=clean(f.path))
        lines = [f"{clean(where(f, x))}: {x.type} ({x.confidence.value}) "
                 f"{clean(x.excerpt)}" + (f" = {clean(shown_value(x, True))}"
                                          if self.options.show_values and x.value else "")
                 for x in f.findings[:MAX_LINES]]
        shown = min(len(f.findings), MAX_LINES)
        if f.finding_count > shown:  # beyond MAX_LINES, or beyond --max-findings
            lines.append(f"... and {f.finding_count - shown} more findings")
        reasons = "; ".join(clean(r) for r in f.reasons)
        if f.verdict is Verdict.BLOCK:
            node = ET.SubElement(case, "failure", type="block",
                                 message=f"{f.label}: {reasons}")
            node.text = "\n".join([*lines, *(clean(e) for e in f.errors)])
            return "failures"
        if f.status in INCOMPLETE_STATUSES:
            node = ET.SubElement(case, "error", type=f.status.value,
                                 message="; ".join(clean(e) for e in f.errors)
                                 or f.status.value)
            node.text = "\n".join(lines) or None
            return "errors"
        if f.status is Status.SKIPPED:
            ET.SubElement(case, "skipped", message=reasons or "skipped")
            return "skipped"
        if f.verdict is Verdict.REVIEW:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join([f"needs review ({f.label}): {reasons}", *lines])
        return ""
