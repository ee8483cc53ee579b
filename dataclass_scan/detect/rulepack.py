"""Load and validate YAML rule packs. Rules are data; every error names file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import regex

from dataclass_scan.detect import validators as validator_registry
from dataclass_scan.detect.yamlsrc import LineDict, LineList, line_of, load_yaml
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Confidence

CATEGORIES = ("pii", "financial", "health", "secret", "marking", "custom")
KINDS = ("regex", "dictionary", "names")
FLAG_NAMES = {
    "IGNORECASE": regex.IGNORECASE,
    "MULTILINE": regex.MULTILINE,
    "DOTALL": regex.DOTALL,
    "VERBOSE": regex.VERBOSE,
}
RULE_KEYS = {
    "id", "name", "type", "category", "kind", "patterns", "flags", "terms",
    "terms_file", "terms_column", "surnames_file", "case_sensitive", "word_boundary", "validators",
    "confidence", "context", "exclude", "min_count", "examples", "description",
}
CONTEXT_KEYS = {"keywords", "negative", "window", "required", "boost", "penalty"}
EXCLUDE_KEYS = {"values", "patterns", "words"}
LANG_RE = regex.compile(r"^[a-z]{2}$")
MAX_TERMS_FILE_BYTES = 64 * 1024 * 1024
PACK_KEYS = {"pack", "description", "rules"}
NON_PACK_FILES = {"labels.yml", "labels.yaml", "allowlist.yml"}
TYPE_RE = regex.compile(r"^[A-Z][A-Z0-9_]*$")
ID_RE = regex.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Context:
    """Words near a match (or in the column header / JSON key) that move its confidence.

    `keywords` raise it by `boost` steps (or are `required`); `negative` words lower it
    by `penalty` steps, and a candidate pushed below `low` is dropped. `*_by_lang`
    keep the per-language lists as written (`keywords: {en: [...], de: [...]}`);
    `keywords` / `negative` are the flattened union the engine matches.
    """

    keywords: tuple[str, ...] = ()
    window: int = 40
    required: bool = False
    boost: int = 1
    negative: tuple[str, ...] = ()
    penalty: int = 1
    keywords_by_lang: tuple[tuple[str, tuple[str, ...]], ...] = ()
    negative_by_lang: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Exclude:
    """Candidates to drop: exact `values` (compared without case, spaces or dashes),
    `patterns` that match the whole value, and `words` within the context window."""

    values: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.values or self.patterns or self.words)


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
    exclude: Exclude = field(default_factory=Exclude)
    min_count: int = 1
    terms_file: str = ""
    surnames: tuple[str, ...] = ()
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


def load_packs(paths: Sequence[Path] | None = None, include_builtin: bool = True, *,
               examples: bool = True) -> list[RulePack]:
    """Every rule file of `paths` (and the built-in packs). With `examples` false the
    rules come without their match/no-match examples, which only `rules test`, lint and
    `rules show` use; a scan's packs are then read from the start-up cache."""
    sources: list[Path] = []
    if include_builtin:
        sources.append(builtin_rules_dir())
    sources.extend(paths or [])
    packs = [load_pack(f, examples=examples) for f in rule_files(sources)]
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


_PACK_CACHE: dict[tuple[str, int, int, bool], RulePack] = {}


def load_pack(path: Path, *, examples: bool = True) -> RulePack:
    """Load and validate one rule file. Packs are immutable, so a file that has not
    changed (same path, size and mtime) is parsed once per process. Without `examples`
    (a scan's packs), one whose bytes (and terms files) are those of an earlier run
    comes from the start-up cache."""
    try:
        st = path.stat()
    except OSError as exc:
        raise RulePackError(str(path), None, f"cannot read rule file: {exc}") from None
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, examples)
    cached = _PACK_CACHE.get(key)
    if cached is not None and cached.path == str(path):
        return cached
    pack, stable = _recall_or_load(path, examples)
    if stable:
        # a user's term files may change on their own; the built-in ones do not
        _PACK_CACHE[key] = pack
    return pack


def _recall_or_load(path: Path, examples: bool) -> tuple[RulePack, bool]:
    """The pack, and whether it may be kept (it reads no terms file of the user's).

    Validation is a pure function of the file's bytes and path, the terms files it
    reads and the code and libraries `startcache.stamp()` covers, so a pack that passed
    it once is stored with the digests of those files and taken from there while they
    are unchanged; anything else is parsed and checked here, and a bad file fails here
    with its file and line, every time. Packs that read a user's terms file are neither
    stored (the cache holds no copy of the user's term lists) nor kept."""
    from dataclass_scan.detect import startcache

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulePackError(str(path), None, f"cannot read rule file: {exc}") from None
    where = (str(path), str(path.resolve()))
    name = "pack-" + startcache.digest(*where)[:32]
    key = startcache.digest(*where, hashlib.sha256(raw).hexdigest())
    entry = None if examples else startcache.get(name, key)
    if (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], RulePack)
            and all(_file_digest(f) == d for f, d in entry[1])):
        return entry[0], True
    reads: list[tuple[str, str]] = []
    pack = _load_pack(path, raw, reads)
    stable = not reads or _is_builtin(path)
    # The cache holds no examples: they are sample secrets and personal data (the tests
    # plant the same values), and a scan has no use for them.
    bare = _without_examples(pack)
    if stable:
        startcache.put(name, key, (bare, reads))
    return (pack if examples else bare), stable


def _without_examples(pack: RulePack) -> RulePack:
    return replace(pack, rules=tuple(
        replace(r, match_examples=(), no_match_examples=()) for r in pack.rules))


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def _is_builtin(path: Path) -> bool:
    try:
        return path.resolve().parent == builtin_rules_dir().resolve()
    except OSError:
        return False


def is_builtin_rule(rule: Rule) -> bool:
    """Whether `rule` was loaded from a pack that ships with the tool."""
    path = rule.source.rsplit(":", 1)[0]
    return bool(path) and _is_builtin(Path(path))


def _load_pack(path: Path, raw: bytes, reads: list[tuple[str, str]]) -> RulePack:
    """Parse and check a rule file's bytes; `reads` gets (path, SHA-256) of each terms
    file read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
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
    rules = tuple(_parse_rule(node, name, str(path), reads) for node in rules_node)
    h = hashlib.sha256(raw)
    for rule in rules:
        if rule.terms_file:
            h.update(b"\0" + "\n".join(rule.terms).encode())
        if rule.surnames:
            h.update(b"\0" + "\n".join(rule.surnames).encode())
    digest = h.hexdigest()
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


def _parse_rule(node: Any, pack: str, path: str,
                reads: list[tuple[str, str]] | None = None) -> Rule:
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
    terms_file = node.get("terms_file")
    if terms_file is not None:
        if not isinstance(terms_file, str) or not terms_file:
            raise RulePackError(path, line_of(node, "terms_file"), "`terms_file` must be a path")
        column = node.get("terms_column")
        if column is not None and not isinstance(column, str):
            raise RulePackError(path, line_of(node, "terms_column"),
                                "`terms_column` must be a column name")
        terms = terms + load_terms_file(Path(path).parent / terms_file, column,
                                        path, line_of(node, "terms_file"), reads)
    elif "terms_column" in node:
        raise RulePackError(path, line_of(node, "terms_column"),
                            "`terms_column` needs `terms_file`")
    if kind == "regex":
        if not patterns:
            raise RulePackError(path, where, f"regex rule {rid!r} needs `patterns`")
        _check_patterns(node, "patterns", patterns, flags, path, rid)
    elif not terms:
        raise RulePackError(path, where, f"{kind} rule {rid!r} needs `terms` or `terms_file`")
    surnames: tuple[str, ...] = ()
    surnames_file = node.get("surnames_file")
    if surnames_file is not None:
        if kind != "names" or not isinstance(surnames_file, str):
            raise RulePackError(path, line_of(node, "surnames_file"),
                                "`surnames_file` is a path, for rules of kind `names`")
        surnames = load_terms_file(Path(path).parent / surnames_file, None, path,
                                   line_of(node, "surnames_file"), reads)
    vals = _str_list(node, "validators", path)
    for v in vals:
        if not validator_registry.exists(v):
            raise RulePackError(
                path, line_of(node, "validators"),
                f"unknown validator {v!r} (known: {', '.join(validator_registry.names())}, "
                "or stdnum:<module> such as stdnum:es.dni)",
            )
    context = _parse_context(node, path)
    exclude = Exclude()
    ex_node = node.get("exclude")
    if ex_node is not None:
        if not isinstance(ex_node, LineDict):
            raise RulePackError(path, line_of(node, "exclude"), "`exclude` must be a mapping")
        _check_keys(ex_node, EXCLUDE_KEYS, path, "exclude")
        ex_patterns = _str_list(ex_node, "patterns", path)
        _check_patterns(ex_node, "patterns", ex_patterns, flags, path, rid)
        exclude = Exclude(
            values=_str_list(ex_node, "values", path),
            patterns=ex_patterns,
            words=tuple(w.lower() for w in _str_list(ex_node, "words", path)),
        )
    min_count = node.get("min_count", 1)
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise RulePackError(path, line_of(node, "min_count"), "min_count must be an integer >= 1")
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
        exclude=exclude,
        min_count=min_count,
        terms_file=str(terms_file or ""),
        surnames=surnames,
        match_examples=match_ex,
        no_match_examples=no_match_ex,
        description=str(node.get("description", "")),
        source=f"{path}:{where}",
    )


def _check_patterns(
    node: LineDict, key: str, patterns: Sequence[str], flags: int, path: str, rid: str
) -> None:
    plist = node[key] if key in node else None
    lines = plist.item_lines if isinstance(plist, LineList) else [line_of(node, key)]
    from dataclass_scan.detect import patcache

    for i, pat in enumerate(patterns):
        try:
            patcache.check(pat, flags)  # compiles, unless known to compile
        except regex.error as exc:
            line = lines[i] if i < len(lines) else line_of(node, key)
            raise RulePackError(path, line, f"rule {rid!r}: bad pattern: {exc}") from None


def _word_lists(
    node: LineDict, key: str, path: str
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """A list of words, or a mapping of language code -> list of words."""
    value = node.get(key)
    if value is None:
        return (), ()
    if isinstance(value, LineDict):
        by_lang: list[tuple[str, tuple[str, ...]]] = []
        flat: list[str] = []
        for lang in value:
            if not LANG_RE.match(lang):
                raise RulePackError(path, line_of(value, lang),
                                    f"`{key}` language {lang!r} must be a two-letter code")
            words = tuple(w.lower() for w in _str_list(value, lang, path))
            by_lang.append((lang, words))
            flat.extend(w for w in words if w not in flat)
        return tuple(flat), tuple(by_lang)
    words = tuple(w.lower() for w in _str_list(node, key, path))
    return words, ()


def _parse_context(node: LineDict, path: str) -> Context:
    ctx_node = node.get("context")
    if ctx_node is None:
        return Context()
    if not isinstance(ctx_node, LineDict):
        raise RulePackError(path, line_of(node, "context"), "`context` must be a mapping")
    _check_keys(ctx_node, CONTEXT_KEYS, path, "context")
    window = ctx_node.get("window", 40)
    boost = ctx_node.get("boost", 1)
    penalty = ctx_node.get("penalty", 1)
    if not isinstance(window, int) or not 0 <= window <= 1000:
        raise RulePackError(path, line_of(ctx_node, "window"), "window must be 0..1000")
    if not isinstance(boost, int) or not 0 <= boost <= 2:
        raise RulePackError(path, line_of(ctx_node, "boost"), "boost must be 0, 1 or 2")
    if not isinstance(penalty, int) or not 1 <= penalty <= 3:
        raise RulePackError(path, line_of(ctx_node, "penalty"), "penalty must be 1, 2 or 3")
    keywords, keywords_by_lang = _word_lists(ctx_node, "keywords", path)
    negative, negative_by_lang = _word_lists(ctx_node, "negative", path)
    required = ctx_node.get("required", False)
    if not isinstance(required, bool):
        raise RulePackError(path, line_of(ctx_node, "required"), "required must be true or false")
    if required and not keywords:
        raise RulePackError(path, line_of(ctx_node, "required"),
                            "`required: true` needs `keywords`")
    return Context(
        keywords=keywords, window=window, required=required, boost=boost,
        negative=negative, penalty=penalty, keywords_by_lang=keywords_by_lang,
        negative_by_lang=negative_by_lang,
    )


def load_terms_file(
    file: Path, column: str | None, rule_path: str, line: int | None,
    reads: list[tuple[str, str]] | None = None,
) -> tuple[str, ...]:
    """Terms from a text file (one a line, `#` comments) or a CSV file (`column`, or the
    first column; the first row is a header when `column` is given). `reads` gets the
    file's path and the SHA-256 of the bytes the terms came from."""
    import io

    try:
        if file.stat().st_size > MAX_TERMS_FILE_BYTES:
            raise RulePackError(rule_path, line,
                                f"{file}: larger than {MAX_TERMS_FILE_BYTES} bytes")
        raw = file.read_bytes()
        if reads is not None:
            reads.append((str(file), hashlib.sha256(raw).hexdigest()))
        # Read once, decoded as `read_text` would (newlines translated), so the digest is
        # that of exactly these terms.
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig").read()
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(rule_path, line, f"cannot read terms file {file}: {exc}") from None
    out: list[str] = []
    if file.suffix.lower() in (".csv", ".tsv"):
        import csv

        delim = "\t" if file.suffix.lower() == ".tsv" else ","
        rows = csv.reader(io.StringIO(text), delimiter=delim)
        idx = 0
        if column is not None:
            header = next(rows, [])
            names = [h.strip().lower() for h in header]
            if column.lower() not in names:
                raise RulePackError(rule_path, line,
                                    f"{file}: no column {column!r} (columns: {', '.join(header)})")
            idx = names.index(column.lower())
        for row in rows:
            if idx < len(row) and row[idx].strip():
                out.append(row[idx].strip())
    else:
        if column is not None:
            raise RulePackError(rule_path, line, "`terms_column` applies to .csv/.tsv files only")
        for raw in text.splitlines():
            term = raw.strip()
            if term and not term.startswith("#"):
                out.append(term)
    if not out:
        raise RulePackError(rule_path, line, f"{file}: no terms")
    return tuple(dict.fromkeys(out))


def packs_version(packs: Sequence[RulePack]) -> str:
    h = hashlib.sha256()
    for p in packs:
        h.update(p.name.encode() + b"\0" + p.digest.encode())
    return h.hexdigest()[:16]
