"""JSON Lines: one file result per line, written as each result arrives, then one summary
line. Every line has a `record` key (`file` or `summary`); a file line is otherwise the
v1 report's file object, and the summary line carries the v1 `schema`, `tool`, `scan` and
`summary` objects, so `jq 'select(.record=="file")'` works on a scan still in progress."""

from __future__ import annotations

import json
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.model import FileResult, ScanResult
from dataclass_scan.report import Reporter
from dataclass_scan.report.serialize import SCHEMA_ID, file_dict, report_dict


class JsonlReporter(Reporter):
    streaming = True

    def file(self, result: FileResult) -> None:
        self._line({"record": "file", **file_dict(result, self.options.show_values)})

    def end(self, scan: ScanResult) -> None:
        full = report_dict(scan, self.options.show_values)
        self._line({"record": "summary", "schema": SCHEMA_ID,
                    "tool": {"name": "dataclass-scan", "version": __version__},
                    "scan": full["scan"], "summary": full["summary"]})

    def _line(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.out.flush()
