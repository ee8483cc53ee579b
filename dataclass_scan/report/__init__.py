"""Reporters by name. Each reporter streams: begin(meta-less) -> file(result)* -> end(scan).

A new format is one module with a `Reporter` subclass plus one line in REGISTRY.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TextIO

from dataclass_scan.model import FileResult, ScanResult

REGISTRY: dict[str, str] = {
    "console": "dataclass_scan.report.console:ConsoleReporter",
    "json": "dataclass_scan.report.json:JsonReporter",
}


@dataclass(frozen=True, slots=True)
class ReportOptions:
    show_values: bool = False
    quiet: bool = False
    color: bool | None = None
    top: int = 10


class Reporter:
    """Base class: override what you need. Reporters never print raw values unless
    `options.show_values` is set."""

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
