"""Typed errors. Only cli.py turns them into exit codes."""

from __future__ import annotations


class DataclassScanError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(DataclassScanError):
    """Bad configuration or command-line usage (exit code 2)."""


class RulePackError(ConfigError):
    """A rule file is invalid; the message names the file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ExtractionError(DataclassScanError):
    """A file could not be read as its format (status `error`)."""


class EncryptedError(ExtractionError):
    """A file is encrypted and could not be opened (status `encrypted`)."""


class UnsupportedError(ExtractionError):
    """No extractor can read this file (status `unsupported`)."""


class BinaryFileError(UnsupportedError):
    """Binary content that no extractor reads (status `skipped`, reason given)."""


class ReportFormatError(ConfigError):
    """A saved report or inventory given on the command line is not readable (exit code 2)."""
