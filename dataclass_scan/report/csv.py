"""CSV for spreadsheets: one row per finding, or with `--group-by file` one row per file.

Opens cleanly in Excel, LibreOffice and Google Sheets: UTF-8 with a byte-order mark,
CRLF line ends, every field quoted where needed, and cells that a spreadsheet would take
for a formula (starting with = + - @, tab or carriage return) prefixed with `'`
(OWASP's advice against CSV injection). Files without findings still get a row in
per-finding mode, so the sheet lists every file scanned.
"""

from __future__ import annotations

import csv
from collections import Counter

from dataclass_scan.model import FileResult, ScanResult
from dataclass_scan.report import Reporter
from dataclass_scan.report.tabular import clean, more_findings, shown_value

FINDING_COLUMNS = ["path", "status", "label", "verdict", "type", "category", "confidence",
                   "rule", "location", "excerpt", "value_hash", "notes"]
FILE_COLUMNS = ["path", "format", "status", "size", "label", "declared_label", "verdict",
                "findings", "types", "reasons", "errors", "sha256"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = clean(text) if text else text
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class CsvReporter(Reporter):
    def begin(self) -> None:
        self.out.write("\ufeff")
        self._writer = csv.writer(self.out, lineterminator="\r\n")
        by_file = self.options.group_by == "file"
        columns = FILE_COLUMNS if by_file else FINDING_COLUMNS
        if self.options.show_values and not by_file:
            columns = [*columns, "value"]
        self._writer.writerow(columns)

    def file(self, result: FileResult) -> None:
        if self.options.group_by == "file":
            self._row(self._file_row(result))
            return
        common = [result.path, result.status.value, result.label or "",
                  result.verdict.value if result.verdict else ""]
        notes = "; ".join(result.errors if result.findings else [*result.reasons,
                                                                 *result.errors])
        if not result.findings:
            self._row([*common, "", "", "", "", "", "", "", notes])
        for x in result.findings:
            row = [*common, x.type, x.category, x.confidence.value, x.rule,
                   x.location.render().lstrip(":!"), x.excerpt, x.value_hash, notes]
            if self.options.show_values:
                row.append(shown_value(x, True))
            self._row(row)
        if result.omitted:  # one more row says the list above is not complete
            self._row([*common, "", "", "", "", "", "", "", more_findings(result)])

    @staticmethod
    def _file_row(r: FileResult) -> list[object]:
        types = Counter(r.type_counts())
        return [r.path, r.format, r.status.value, r.size, r.label or "",
                r.declared_label or "", r.verdict.value if r.verdict else "", r.finding_count,
                "; ".join(f"{t} x{n}" for t, n in sorted(types.items())),
                "; ".join(r.reasons), "; ".join(r.errors), r.sha256 or ""]

    def _row(self, values: list[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in values])

    def end(self, scan: ScanResult) -> None:
        self.out.flush()
