"""Scan settings: defaults, then `.dataclass-scan.toml` or `[tool.dataclass-scan]` in
pyproject.toml (from the current directory), then command-line flags."""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataclass_scan.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024
DEFAULT_TIMEOUT = 300.0  # seconds per file (--timeout)
DEFAULT_MAX_MEMORY = 2 * 1000**3  # resident bytes per worker (--max-memory)
# Findings listed per file (--max-findings); the rest are counted, not listed. A thousand
# is more than anyone reads in a report, and about 0.7 MB per file in memory, in a worker
# pipe and in the cache; a file past it is decided by its counts (labels, min_count and
# the verdict see every finding either way). A 1 GB text file had 460,000 findings.
DEFAULT_MAX_FINDINGS = 1000

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.I)


def parse_duration(text: str | int | float) -> float:
    """`90`, `90s`, `1.5m`, `2h`, `500ms` -> seconds; `0` means no limit."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise ConfigError(f"invalid duration {text!r} (must not be negative)")
        return float(text)
    m = _DURATION_RE.match(str(text))
    if not m:
        raise ConfigError(f"invalid duration {text!r} (examples: 30, 30s, 5m, 1h, 0 = no limit)")
    factor = {"": 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "h": 3600.0}[(m.group(2) or "").lower()]
    return float(m.group(1)) * factor


def parse_size(text: str | int) -> int:
    """`2GB`, `500MB`, `64KiB`, `1048576` -> bytes. Decimal units; `i` forms are binary."""
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(text)
    if not m:
        raise ConfigError(f"invalid size {text!r} (examples: 1048576, 500KB, 20MB, 2GB, 1GiB)")
    number, unit = float(m.group(1)), (m.group(2) or "").lower()
    if "i" in unit:
        factor = 1024 ** {"k": 1, "m": 2, "g": 3, "t": 4}[unit[0]]
    else:
        factor = _UNITS[unit.rstrip("b") if unit != "b" else "b"]
    return int(number * factor)


PREFILTER_ENGINES = ("auto", "python", "hyperscan")


def check_prefilter(value: object) -> str:
    """A valid prefilter engine name; `hyperscan` only when it is installed."""
    if value not in PREFILTER_ENGINES:
        raise ValueError(f"expected one of {', '.join(PREFILTER_ENGINES)}")
    if value == "hyperscan":
        from dataclass_scan.detect.hsprefilter import available

        if not available():
            raise ValueError("hyperscan is not installed (pip install 'dataclass-scan[fast]')")
    return str(value)


@dataclass(frozen=True, slots=True)
class Config:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    follow_symlinks: bool = False
    max_depth: int = 5  # containers inside containers (archives, mail attachments)
    use_ignore_files: bool = True
    rules: tuple[Path, ...] = ()
    builtin_rules: bool = True
    labels_file: Path | None = None
    destination: str | None = None
    show_values: bool = False
    config_file: str | None = None
    jobs: int | None = None  # worker processes; None = one per core, 1 = in-process
    timeout: float = DEFAULT_TIMEOUT  # per file, enforced by the process pool; 0 = none
    max_memory: int = DEFAULT_MAX_MEMORY  # per worker, enforced by the pool; 0 = none
    max_findings: int = DEFAULT_MAX_FINDINGS  # listed per file; 0 = all (runner.py)
    cache: bool = True  # reuse results of unchanged files (store/cache.py)
    cache_file: Path | None = None  # default: <home>/cache.sqlite
    # Prefilter engine: Hyperscan when installed ("auto"), or force one. Same results.
    prefilter: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)
    # Archive limits (zip bombs): total bytes unpacked per archive, members per archive,
    # and the largest compression ratio a member may have.
    archive_max_total: int = 1024 * 1024 * 1024
    archive_max_entries: int = 10_000
    archive_max_ratio: int = 200
    # Candidate passwords for encrypted files (--password-file); never logged or reported.
    passwords: tuple[str, ...] = field(default=(), repr=False)

    def digest(self) -> str:
        """SHA-256 of the settings that shape results (not passwords, workers or cache),
        so an auditor can tell two scans ran with the same configuration."""
        import hashlib
        import json

        skip = {"passwords", "jobs", "cache", "cache_file", "config_file", "show_values",
                "prefilter"}
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in skip}
        text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def merged(self, **overrides: Any) -> Config:
        """Apply non-None overrides (typically command-line flags)."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items() if v is not None})


_FILE_KEYS = {
    "include": "include",
    "exclude": "exclude",
    "max-file-size": "max_file_size",
    "follow-symlinks": "follow_symlinks",
    "max-depth": "max_depth",
    "use-ignore-files": "use_ignore_files",
    "rules": "rules",
    "builtin-rules": "builtin_rules",
    "labels": "labels_file",
    "destination": "destination",
    "jobs": "jobs",
    "prefilter": "prefilter",
    "timeout": "timeout",
    "max-memory": "max_memory",
    "max-findings": "max_findings",
    "archive-max-total": "archive_max_total",
    "archive-max-entries": "archive_max_entries",
    "archive-max-ratio": "archive_max_ratio",
}


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    own = start / ".dataclass-scan.toml"
    if own.is_file():
        return own, _read_toml(own)
    py = start / "pyproject.toml"
    if py.is_file():
        section = _read_toml(py).get("tool", {}).get("dataclass-scan")
        if isinstance(section, dict):
            return py, section
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_config(config_path: Path | None = None, cwd: Path | None = None) -> Config:
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"{config_path}: config file not found")
        data = _read_toml(config_path)
        if config_path.name == "pyproject.toml":
            data = data.get("tool", {}).get("dataclass-scan", {})
        found: tuple[Path, dict[str, Any]] | None = (config_path, data)
    else:
        found = find_config_file(cwd or Path.cwd())
    if found is None:
        return Config()
    path, data = found
    kwargs: dict[str, Any] = {"config_file": str(path)}
    extra: dict[str, Any] = {}
    base = path.parent
    for key, value in data.items():
        attr = _FILE_KEYS.get(key)
        if attr is None:
            extra[key] = value
            continue
        try:
            if attr in ("include", "exclude"):
                value = tuple(str(v) for v in value)
            elif attr == "rules":
                value = tuple(base / str(v) for v in value)
            elif attr == "labels_file":
                value = base / str(value)
            elif attr in ("max_file_size", "max_memory"):
                value = parse_size(value)
            elif attr == "timeout":
                value = parse_duration(value)
            elif attr == "max_findings":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise TypeError("expected a whole number of findings, 0 for no limit")
            elif attr == "jobs":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise TypeError("expected a whole number of processes, 1 or more")
            elif attr == "prefilter":
                value = check_prefilter(value)
            elif attr == "archive_max_total":
                value = parse_size(value)
            elif attr in ("archive_max_entries", "archive_max_ratio"):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise TypeError("expected a positive whole number")
            elif attr in ("follow_symlinks", "use_ignore_files", "builtin_rules"):
                if not isinstance(value, bool):
                    raise TypeError("expected true or false")
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: key {key!r}: {exc}") from None
        kwargs[attr] = value
    known_sections = {"destinations", "manifest", "allowlist", "cache", "limits", "edm"}
    unknown = sorted(k for k in extra if k not in known_sections)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    kwargs["extra"] = extra
    return Config(**kwargs)
