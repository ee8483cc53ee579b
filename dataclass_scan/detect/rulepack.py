"""Load and validate YAML rule packs. Rules are data; every error names file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from dataclass_scan.detect import validators as validator_registry
from dataclass_scan.detect.yamlsrc import LineDict, LineList, line_of, load_yaml
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Confidence

CATEGORIES = ("pii", "financial", "health", "secret", "marking", "custom")
KINDS = ("regex", "dictionary")
FLAG_NAMES = {
    "IGNORECASE": regex.IGNORECASE,
    "MULTILINE": regex.MULTILINE,
    "DOTALL": regex.DOTALL,
    "VERBOSE": regex.VERBOSE,
}
RULE_KEYS = {
    "id", "name", "type", "category", "kind", "patterns", "flags", "terms",
    "case_sensitive", "word_boundary", "validators", "confidence", "context",
    "examples", "description",
}
CONTEXT_KEYS = {"keywords", "window", "required", "boost"}
PACK_KEYS = {"pack", "description", "rules"}
NON_PACK_FILES = {"labels.yml", "labels.yaml"}
TYPE_RE = regex.compile(r"^[A-Z][A-Z0-9_]*$")
ID_RE = regex.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Context:
    keywords: tuple[str, ...] = ()
    window: int = 40
    required: bool = False
    boost: int = 1


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    type: str
    category: str
    pack: str
    kind: str = "regex"
    patterns: tuple[str, ...] = ()
    flags: int = 0
    terms: tuple[str, ...] = ()
    case_sensitive: bool = False
    word_boundary: bool = True
    validators: tuple[str, ...] = ()
    confidence: Confidence = Confidence.MEDIUM
    context: Context = field(default_factory=Context)
    match_examples: tuple[str, ...] = ()
    no_match_examples: tuple[str, ...] = ()
    description: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    path: str
    digest: str
    rules: tuple[Rule, ...]
    description: str = ""


def builtin_rules_dir() -> Path:
    """`rules/` inside the installed wheel, or the repository's top-level `rules/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parent / "rules"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.iterdir()
                    if f.suffix in (".yml", ".yaml") and f.name not in NON_PACK_FILES
                )
            )
        elif p.is_file():
            out.append(p)
        else:
            raise RulePackError(str(p), None, "no such rule file or directory")
    return out


def load_packs(paths: Sequence[Path] | None = None, include_builtin: bool = True) -> list[RulePack]:
    sources: list[Path] = []
    if include_builtin:
        sources.append(builtin_rules_dir())
    sources.extend(paths or [])
    packs = [load_pack(f) for f in rule_files(sources)]
    seen: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                raise RulePackError(
                    rule.source.rsplit(":", 1)[0],
                    _line_from_source(rule.source),
                    f"duplicate rule id {rule.id!r} (first defined in {seen[rule.id]})",
                )
            seen[rule.id] = rule.source
    return packs


def _line_from_source(source: str) -> int | None:
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def load_pack(path: Path) -> RulePack:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(str(path), None, f"cannot read rule file: {exc}") from None
    data = load_yaml(text, str(path))
    if not isinstance(data, LineDict):
        raise RulePackError(str(path), 1, "a rule pack is a mapping with `pack` and `rules`")
    _check_keys(data, PACK_KEYS, str(path), "rule pack")
    name = data.get("pack")
    if not isinstance(name, str) or not name:
        raise RulePackError(str(path), line_of(data, "pack"), "`pack` must be a non-empty string")
    rules_node = data.get("rules")
    if not isinstance(rules_node, LineList):
        raise RulePackError(str(path), line_of(data, "rules"), "`rules` must be a list")
    rules = tuple(_parse_rule(node, name, str(path)) for node in rules_node)
    digest = hashlib.sha256(raw).hexdigest()
    return RulePack(
        name=name, path=str(path), digest=digest, rules=rules,
        description=str(data.get("description", "")),
    )


def _check_keys(node: LineDict, allowed: set[str], path: str, what: str) -> None:
    for key in node:
        if key not in allowed:
            raise RulePackError(
                path, line_of(node, key), f"unknown key {key!r} in {what} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )


def _str_list(node: LineDict, key: str, path: str) -> tuple[str, ...]:
    value = node.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulePackError(path, line_of(node, key), f"`{key}` must be a list of strings")
    return tuple(value)


def _parse_rule(node: Any, pack: str, path: str) -> Rule:
    if not isinstance(node, LineDict):
        raise RulePackError(path, line_of(node), "each rule must be a mapping")
    _check_keys(node, RULE_KEYS, path, "rule")
    for req in ("id", "type", "category"):
        if not isinstance(node.get(req), str):
            raise RulePackError(path, node.line, f"rule is missing string field `{req}`")
    rid, etype, category = node["id"], node["type"], node["category"]
    where = line_of(node, "id")
    if not ID_RE.match(rid):
        raise RulePackError(path, where, f"rule id {rid!r} must be lower-case dotted words")
    if not TYPE_RE.match(etype):
        raise RulePackError(path, line_of(node, "type"), f"type {etype!r} must be UPPER_SNAKE")
    if category not in CATEGORIES:
        raise RulePackError(
            path, line_of(node, "category"),
            f"category {category!r} is not one of {', '.join(CATEGORIES)}",
        )
    kind = node.get("kind", "regex")
    if kind not in KINDS:
        raise RulePackError(path, line_of(node, "kind"), f"kind must be one of {KINDS}")
    conf_name = node.get("confidence", "medium")
    try:
        confidence = Confidence(conf_name)
    except ValueError:
        raise RulePackError(
            path, line_of(node, "confidence"), "confidence must be low, medium or high"
        ) from None
    flags = 0
    for fname in _str_list(node, "flags", path):
        if fname not in FLAG_NAMES:
            raise RulePackError(
                path, line_of(node, "flags"),
                f"unknown flag {fname!r} (allowed: {', '.join(FLAG_NAMES)})",
            )
        flags |= FLAG_NAMES[fname]
    patterns = _str_list(node, "patterns", path)
    terms = _str_list(node, "terms", path)
    if kind == "regex":
        if not patterns:
            raise RulePackError(path, where, f"regex rule {rid!r} needs `patterns`")
        plist = node["patterns"]
        lines = plist.item_lines if isinstance(plist, LineList) else [line_of(node, "patterns")]
        for i, pat in enumerate(patterns):
            try:
                regex.compile(pat, flags)
            except regex.error as exc:
                line = lines[i] if i < len(lines) else where
                raise RulePackError(path, line, f"rule {rid!r}: bad pattern: {exc}") from None
    elif not terms:
        raise RulePackError(path, where, f"dictionary rule {rid!r} needs `terms`")
    vals = _str_list(node, "validators", path)
    for v in vals:
        if not validator_registry.exists(v):
            raise RulePackError(
                path, line_of(node, "validators"),
                f"unknown validator {v!r} (known: {', '.join(validator_registry.names())})",
            )
    context = Context()
    ctx_node = node.get("context")
    if ctx_node is not None:
        if not isinstance(ctx_node, LineDict):
            raise RulePackError(path, line_of(node, "context"), "`context` must be a mapping")
        _check_keys(ctx_node, CONTEXT_KEYS, path, "context")
        window = ctx_node.get("window", 40)
        boost = ctx_node.get("boost", 1)
        if not isinstance(window, int) or not 0 <= window <= 1000:
            raise RulePackError(path, line_of(ctx_node, "window"), "window must be 0..1000")
        if not isinstance(boost, int) or not 0 <= boost <= 2:
            raise RulePackError(path, line_of(ctx_node, "boost"), "boost must be 0, 1 or 2")
        context = Context(
            keywords=tuple(k.lower() for k in _str_list(ctx_node, "keywords", path)),
            window=window,
            required=bool(ctx_node.get("required", False)),
            boost=boost,
        )
    match_ex: tuple[str, ...] = ()
    no_match_ex: tuple[str, ...] = ()
    ex_node = node.get("examples")
    if ex_node is not None:
        if not isinstance(ex_node, LineDict):
            raise RulePackError(path, line_of(node, "examples"), "`examples` must be a mapping")
        _check_keys(ex_node, {"match", "no_match"}, path, "examples")
        match_ex = _str_list(ex_node, "match", path)
        no_match_ex = _str_list(ex_node, "no_match", path)
    return Rule(
        id=rid,
        name=str(node.get("name", rid)),
        type=etype,
        category=category,
        pack=pack,
        kind=kind,
        patterns=patterns,
        flags=flags,
        terms=terms,
        case_sensitive=bool(node.get("case_sensitive", False)),
        word_boundary=bool(node.get("word_boundary", True)),
        validators=vals,
        confidence=confidence,
        context=context,
        match_examples=match_ex,
        no_match_examples=no_match_ex,
        description=str(node.get("description", "")),
        source=f"{path}:{where}",
    )


def packs_version(packs: Sequence[RulePack]) -> str:
    h = hashlib.sha256()
    for p in packs:
        h.update(p.name.encode() + b"\0" + p.digest.encode())
    return h.hexdigest()[:16]
