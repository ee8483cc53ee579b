"""Reporters by name. Each reporter streams: begin(meta-less) -> file(result)* -> end(scan).

A new format is one module with a `Reporter` subclass plus one line in REGISTRY.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TextIO

from dataclass_scan.errors import ConfigError
from dataclass_scan.model import FileResult, ScanResult

REGISTRY: dict[str, str] = {
    "console": "dataclass_scan.report.console:ConsoleReporter",
    "json": "dataclass_scan.report.json:JsonReporter",
    "jsonl": "dataclass_scan.report.jsonl:JsonlReporter",
    "sarif": "dataclass_scan.report.sarif:SarifReporter",
    "csv": "dataclass_scan.report.csv:CsvReporter",
    "markdown": "dataclass_scan.report.markdown:MarkdownReporter",
    "junit": "dataclass_scan.report.junit:JunitReporter",
    "html": "dataclass_scan.report.html:HtmlReporter",
    "manifest": "dataclass_scan.report.manifest:ManifestReporter",
}


@dataclass(frozen=True, slots=True)
class ReportOptions:
    show_values: bool = False
    quiet: bool = False
    color: bool | None = None
    top: int = 10
    group_by: str = "finding"  # csv: one row per "finding" or per "file"


class Reporter:
    """Base class: override what you need. Reporters never print raw values unless
    `options.show_values` is set.

    `shared = True` marks formats made to be uploaded or passed around (SARIF, HTML):
    they refuse raw values unless the user forces it (see `check_show_values`)."""

    shared = False

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options

    def begin(self) -> None:
        return None

    def file(self, result: FileResult) -> None:
        return None

    def end(self, scan: ScanResult) -> None:
        return None


def get_reporter(name: str) -> type[Reporter]:
    if name not in REGISTRY:
        raise KeyError(name)
    module, _, attr = REGISTRY[name].partition(":")
    cls: type[Reporter] = getattr(importlib.import_module(module), attr)
    return cls


def formats() -> list[str]:
    return list(REGISTRY)


def check_show_values(cls: type[Reporter], name: str, show_values: bool, force: bool) -> None:
    """SARIF and HTML end up on code-scanning dashboards and in mail: raw values only when
    forced."""
    if show_values and cls.shared and not force:
        raise ConfigError(
            f"--format {name} is made to be shared and refuses --show-values; "
            "add --force-show-values if you really want raw values in it")
