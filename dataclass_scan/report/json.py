"""JSON report, the v1 contract."""

from __future__ import annotations

import json

from dataclass_scan.model import ScanResult
from dataclass_scan.report import Reporter
from dataclass_scan.report.serialize import report_dict


class JsonReporter(Reporter):
    def end(self, scan: ScanResult) -> None:
        json.dump(report_dict(scan, self.options.show_values), self.out, indent=2,
                  ensure_ascii=False)
        self.out.write("\n")
