"""Allowlists: values, patterns and paths whose findings are dropped.

Two sources: the built-in list of well-known test data (`rules/allowlist.yml`:
documented test card numbers, SSNs reserved for advertising, RFC 2606 example
domains, documented example keys), and the `[allowlist]` section of the config file:

    [allowlist]
    builtin = true                       # false turns the built-in test data list off
    values = ["4000 0566 5566 5556"]     # compared without case, spaces or dashes
    patterns = ['.*@corp\\.example$']     # must match the whole value
    paths = ["tests/fixtures/**"]        # gitignore syntax, matched against every trailing
                                         # part of the path; findings there are dropped
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from dataclass_scan.detect.yamlsrc import LineDict, LineList, line_of, load_yaml
from dataclass_scan.errors import ConfigError, RulePackError
from dataclass_scan.keys import normalize_value

BUILTIN_FILE = "allowlist.yml"
ENTRY_KEYS = {"description", "types", "values", "patterns"}
CONFIG_KEYS = {"builtin", "values", "patterns", "paths"}
MATCH_TIMEOUT = 1.0


@dataclass(frozen=True, slots=True)
class AllowEntry:
    description: str
    types: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()
    patterns: tuple[regex.Pattern[str], ...] = ()

    def matches(self, entity_type: str, value: str, normalized: str) -> bool:
        if self.types and entity_type not in self.types:
            return False
        if normalized in self.values:
            return True
        return any(p.fullmatch(value, timeout=MATCH_TIMEOUT) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Allowlist:
    entries: tuple[AllowEntry, ...] = ()
    paths: tuple[str, ...] = ()
    _spec: Any = field(default=None, compare=False, repr=False)
    # entity type -> the entries that can allow it (most name one or two types)
    _by_type: dict[str, tuple[AllowEntry, ...]] = field(
        default_factory=dict, compare=False, repr=False)

    def match(self, entity_type: str, value: str) -> str | None:
        """The description of the first entry that allows this value, or None."""
        entries = self._by_type.get(entity_type)
        if entries is None:
            entries = self._by_type[entity_type] = tuple(
                e for e in self.entries if not e.types or entity_type in e.types)
        if not entries:
            return None
        normalized = normalize_value(value)
        for entry in entries:
            try:
                if entry.matches(entity_type, value, normalized):
                    return entry.description
            except TimeoutError:
                continue
        return None

    def path_allowed(self, path: str) -> bool:
        if self._spec is None:
            return False
        # Match the outer file's path and every trailing part of it, so `vendor/**`
        # works whether the scan root was `.`, `src/` or an absolute path.
        parts = path.replace("\\", "/").split("!", 1)[0].split("/")
        return any(self._spec.match_file("/".join(parts[i:]))
                   for i in range(len(parts)) if parts[i] not in ("", ".", ".."))

    @classmethod
    def build(cls, entries: Sequence[AllowEntry], paths: Sequence[str] = ()) -> Allowlist:
        spec = None
        if paths:
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines(paths)
        return cls(entries=tuple(entries), paths=tuple(paths), _spec=spec)


def _compile(pattern: str, where: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as exc:
        raise ConfigError(f"{where}: bad allowlist pattern {pattern!r}: {exc}") from None


_BUILTIN_CACHE: dict[tuple[str, int], list[AllowEntry]] = {}


def load_builtin(rules_dir: Path | None = None) -> list[AllowEntry]:
    from dataclass_scan.detect.rulepack import builtin_rules_dir

    path = (rules_dir or builtin_rules_dir()) / BUILTIN_FILE
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _BUILTIN_CACHE:
        _BUILTIN_CACHE[key] = _parse_builtin(path)
    return list(_BUILTIN_CACHE[key])


def _parse_builtin(path: Path) -> list[AllowEntry]:
    """The built-in allowlist, from the start-up cache (detect/startcache.py) while the
    file's bytes are those it was stored with."""
    import io

    from dataclass_scan.detect import startcache

    raw = path.read_bytes()
    entries: list[AllowEntry] = startcache.derived("allowlist", path, raw, lambda: _parse_entries(
        path, io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()))  # as read_text
    return entries


def _parse_entries(path: Path, text: str) -> list[AllowEntry]:
    data = load_yaml(text, str(path))
    node = data.get("allowlist") if isinstance(data, LineDict) else None
    if not isinstance(node, LineList):
        raise RulePackError(str(path), 1, "expected a mapping with an `allowlist` list")
    out: list[AllowEntry] = []
    for entry in node:
        if not isinstance(entry, LineDict):
            raise RulePackError(str(path), line_of(entry), "each entry must be a mapping")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise RulePackError(str(path), line_of(entry, sorted(unknown)[0]),
                                f"unknown key(s) {', '.join(sorted(unknown))}")
        where = f"{path}:{entry.line}"
        out.append(AllowEntry(
            description=str(entry.get("description", "built-in allowlist")),
            types=frozenset(entry.get("types", [])),
            values=frozenset(normalize_value(str(v)) for v in entry.get("values", [])),
            patterns=tuple(_compile(str(p), where) for p in entry.get("patterns", [])),
        ))
    return out


def from_config(section: Mapping[str, Any] | None, source: str = "config") -> Allowlist:
    """The allowlist for a scan: the built-in entries (unless `builtin = false`) plus the
    config file's values, patterns and paths."""
    section = dict(section or {})
    unknown = sorted(set(section) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [allowlist]: {', '.join(unknown)}")
    builtin = section.get("builtin", True)
    if not isinstance(builtin, bool):
        raise ConfigError(f"{source}: [allowlist] builtin must be true or false")
    lists: dict[str, list[str]] = {}
    for key in ("values", "patterns", "paths"):
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: [allowlist] {key} must be a list of strings")
        lists[key] = value
    entries = load_builtin() if builtin else []
    if lists["values"] or lists["patterns"]:
        entries.append(AllowEntry(
            description=f"allowlist in {source}",
            values=frozenset(normalize_value(v) for v in lists["values"]),
            patterns=tuple(_compile(p, source) for p in lists["patterns"]),
        ))
    return Allowlist.build(entries, lists["paths"])


def default() -> Allowlist:
    return Allowlist.build(load_builtin())


def empty() -> Allowlist:
    return Allowlist()
