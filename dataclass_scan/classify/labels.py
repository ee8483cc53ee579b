"""The label taxonomy and the mapping from findings to a label, loaded from labels.yml."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataclass_scan.detect.rulepack import builtin_rules_dir
from dataclass_scan.detect.yamlsrc import LineDict, LineList, line_of, load_yaml
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Confidence, Finding, FindingCount


@dataclass(frozen=True, slots=True)
class MappingRule:
    label: str
    types: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    min_confidence: Confidence = Confidence.LOW
    min_count: int = 1
    min_distinct: int = 1

    def matching(self, findings: Sequence[Finding]) -> list[Finding]:
        # Every mapping rule reads every finding of a file (tens of thousands in a
        # large one): the rule's own fields are read once, and a test it does not
        # make is skipped.
        types, categories, rules = self.types, self.categories, self.rules
        min_rank = self.min_confidence.rank
        if not (types or categories or rules or min_rank):
            return list(findings)
        return [
            f
            for f in findings
            if (not types or f.type in types)
            and (not categories or f.category in categories)
            and (not rules or f.rule in rules)
            and (not min_rank or f.confidence.rank >= min_rank)
        ]

    def matching_counts(self, counts: Sequence[FindingCount]) -> list[FindingCount]:
        """`matching` for findings counted, not listed (`--max-findings`)."""
        return [
            c
            for c in counts
            if (not self.types or c.type in self.types)
            and (not self.categories or c.category in self.categories)
            and (not self.rules or c.rule in self.rules)
            and c.confidence.rank >= self.min_confidence.rank
        ]

    def describe(self) -> str:
        what = sorted(self.types | self.categories | self.rules) or ["any finding"]
        parts = [", ".join(what)]
        if self.min_confidence is not Confidence.LOW:
            parts.append(f"confidence >= {self.min_confidence.value}")
        if self.min_count > 1:
            parts.append(f"count >= {self.min_count}")
        if self.min_distinct > 1:
            parts.append(f"distinct values >= {self.min_distinct}")
        return " with ".join(parts)


@dataclass(frozen=True, slots=True)
class Destination:
    name: str
    allow_up_to: str
    review_up_to: str
    block_categories: frozenset[str]
    description: str = ""


@dataclass(frozen=True, slots=True)
class LabelPolicy:
    labels: tuple[str, ...]
    default: str
    mapping: tuple[MappingRule, ...]
    destinations: dict[str, Destination]
    default_destination: str
    path: str = ""
    # Declared label names (MIP label names or GUIDs, markings) -> taxonomy label.
    declared_names: dict[str, str] = field(default_factory=dict)

    def rank(self, label: str) -> int:
        return self.labels.index(label)

    @property
    def max_distinct(self) -> int:
        """The largest `min_distinct` of the mapping: how many distinct values of one kind
        a file's counted, unlisted findings must remember (model.FindingCount)."""
        return max((m.min_distinct for m in self.mapping), default=1)

    def classify(self, findings: Sequence[Finding], omitted: Sequence[FindingCount] = ()
                 ) -> tuple[str, list[str]]:
        """Return the file's label and why. `omitted`: findings beyond the listed ones
        (`--max-findings`), counted; the label is the same as with all of them listed."""
        label = self.default
        reasons: list[str] = []
        for rule in self.mapping:
            hits = rule.matching(findings)
            more = rule.matching_counts(omitted) if omitted else []
            count = len(hits) + sum(c.count for c in more)
            if count < rule.min_count or not count:
                continue
            if rule.min_distinct > 1:
                # Each FindingCount keeps up to max_distinct hashes: a kind with that many
                # meets every threshold; otherwise its hashes are all there are.
                values = {h.value_hash for h in hits}
                values.update(v for c in more for v in c.value_hashes)
                if len(values) < rule.min_distinct:
                    continue
            if self.rank(rule.label) > self.rank(label):
                label = rule.label
                reasons = [f"{_summarise(hits, more)} -> {rule.label}"]
        return label, reasons

    def map_declared(self, name: str) -> str | None:
        """A declared label name (`Highly Confidential\\Finance`, a MIP label GUID,
        `Internal`) -> taxonomy label, or None when nothing maps it."""
        names = {k.casefold(): v for k, v in self.declared_names.items()}
        names.update({x.casefold(): x for x in self.labels})
        clean = name.strip().strip("{}").strip()
        candidates = [clean]
        for sep in ("\\", "/", " - ", " \u2013 ", ":"):
            if sep in clean:
                candidates.append(clean.split(sep, 1)[0].strip())
        for c in candidates:
            hit = names.get(c.casefold())
            if hit is not None:
                return hit
        return None


def _summarise(hits: Sequence[Finding], more: Sequence[FindingCount] = ()) -> str:
    by_type: dict[tuple[str, str], int] = {}
    for h in hits:
        key = (h.type, h.confidence.value)
        by_type[key] = by_type.get(key, 0) + 1
    for c in more:
        key = (c.type, c.confidence.value)
        by_type[key] = by_type.get(key, 0) + c.count
    return ", ".join(f"{t} ({c}) x{n}" for (t, c), n in sorted(by_type.items()))


def default_labels_path() -> Path:
    return builtin_rules_dir() / "labels.yml"


def load_label_policy(path: Path | None = None) -> LabelPolicy:
    """The labels file, checked; a file that passed the checks before with the same
    path and bytes comes from the start-up cache (detect/startcache.py)."""
    import io

    from dataclass_scan.detect import startcache

    path = path or default_labels_path()
    spath = str(path)
    try:
        raw = path.read_bytes()
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()  # as read_text
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(spath, None, f"cannot read labels file: {exc}") from None
    policy: LabelPolicy = startcache.derived(
        "labels", path, raw, lambda: _parse_label_policy(text, spath))
    return policy


def _parse_label_policy(text: str, spath: str) -> LabelPolicy:
    data = load_yaml(text, spath)
    if not isinstance(data, LineDict):
        raise RulePackError(spath, 1, "labels file must be a mapping")
    allowed = {"labels", "default", "mapping", "destinations", "default_destination",
               "declared_names"}
    for key in data:
        if key not in allowed:
            raise RulePackError(spath, line_of(data, key), f"unknown key {key!r}")
    labels = data.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise RulePackError(spath, line_of(data, "labels"), "`labels` must be a list of names")
    if len(set(labels)) != len(labels):
        raise RulePackError(spath, line_of(data, "labels"), "`labels` has duplicates")

    def need_label(node: Any, key: str, value: Any) -> str:
        if value not in labels:
            raise RulePackError(
                spath, line_of(node, key), f"{key}: {value!r} is not one of {', '.join(labels)}"
            )
        return str(value)

    default = need_label(data, "default", data.get("default", labels[0]))
    mapping: list[MappingRule] = []
    mnode = data.get("mapping", [])
    if not isinstance(mnode, LineList):
        raise RulePackError(spath, line_of(data, "mapping"), "`mapping` must be a list")
    mkeys = {"label", "types", "categories", "rules", "min_confidence", "min_count", "min_distinct"}
    for entry in mnode:
        if not isinstance(entry, LineDict):
            raise RulePackError(spath, line_of(mnode), "each mapping entry must be a mapping")
        for key in entry:
            if key not in mkeys:
                raise RulePackError(spath, line_of(entry, key), f"unknown key {key!r} in mapping")
        try:
            conf = Confidence(entry.get("min_confidence", "low"))
        except ValueError:
            raise RulePackError(
                spath, line_of(entry, "min_confidence"), "min_confidence: low, medium or high"
            ) from None
        for key in ("min_count", "min_distinct"):
            if not isinstance(entry.get(key, 1), int) or entry.get(key, 1) < 1:
                raise RulePackError(spath, line_of(entry, key), f"{key} must be a positive integer")
        mapping.append(
            MappingRule(
                label=need_label(entry, "label", entry.get("label")),
                types=frozenset(entry.get("types", [])),
                categories=frozenset(entry.get("categories", [])),
                rules=frozenset(entry.get("rules", [])),
                min_confidence=conf,
                min_count=int(entry.get("min_count", 1)),
                min_distinct=int(entry.get("min_distinct", 1)),
            )
        )
    destinations: dict[str, Destination] = {}
    dnode = data.get("destinations", {})
    if not isinstance(dnode, LineDict) or not dnode:
        raise RulePackError(
            spath, line_of(data, "destinations"), "`destinations` must be a mapping"
        )
    for name, d in dnode.items():
        if not isinstance(d, LineDict):
            raise RulePackError(
                spath, line_of(dnode, name), f"destination {name!r} must be a mapping"
            )
        for key in d:
            if key not in {"description", "allow_up_to", "review_up_to", "block_categories"}:
                raise RulePackError(spath, line_of(d, key), f"unknown key {key!r} in destination")
        allow = need_label(d, "allow_up_to", d.get("allow_up_to"))
        review = need_label(d, "review_up_to", d.get("review_up_to", allow))
        if labels.index(review) < labels.index(allow):
            raise RulePackError(
                spath, line_of(d, "review_up_to"), "review_up_to is below allow_up_to"
            )
        destinations[name] = Destination(
            name=name,
            allow_up_to=allow,
            review_up_to=review,
            block_categories=frozenset(d.get("block_categories", [])),
            description=str(d.get("description", "")),
        )
    default_dest = data.get("default_destination", next(iter(destinations)))
    if default_dest not in destinations:
        raise RulePackError(
            spath, line_of(data, "default_destination"), f"unknown destination {default_dest!r}"
        )
    declared: dict[str, str] = {}
    nnode = data.get("declared_names", {})
    if not isinstance(nnode, dict):
        raise RulePackError(spath, line_of(data, "declared_names"),
                            "`declared_names` must map declared label names to labels")
    for name, target in nnode.items():
        declared[str(name).strip("{}")] = need_label(nnode, name, target)
    return LabelPolicy(
        labels=tuple(labels),
        default=default,
        mapping=tuple(mapping),
        destinations=destinations,
        default_destination=str(default_dest),
        path=spath,
        declared_names=declared,
    )
