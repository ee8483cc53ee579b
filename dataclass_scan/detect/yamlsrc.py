"""Safe YAML loading that remembers line numbers, so errors can name `file:line`."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from dataclass_scan.errors import RulePackError

if TYPE_CHECKING:
    import yaml


class LineDict(dict[str, Any]):
    """A mapping that knows the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


@functools.cache
def _loader() -> Any:
    """libyaml's parser when available; the safe constructors, with line numbers, either
    way. Made (and PyYAML imported) on the first file parsed: a scan whose rule packs,
    labels and allowlist come from the start-up cache (detect/startcache.py) parses
    none."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc,valid-type]
        pass

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                            _construct_sequence)
    return _Loader


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            import yaml

            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


MAX_RULE_FILE_BYTES = 8 * 1024 * 1024


def load_yaml(text: str, path: str) -> Any:
    if len(text) > MAX_RULE_FILE_BYTES:
        raise RulePackError(path, None, f"file is larger than {MAX_RULE_FILE_BYTES} bytes")
    import yaml

    try:
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _refuse_shared_collections(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise RulePackError(path, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RulePackError(path, None, f"invalid YAML: {exc}") from None


def _refuse_shared_collections(root: yaml.Node) -> None:
    """Refuse aliases to lists and mappings (and recursive aliases): rule files are
    untrusted, and nested aliases ("billion laughs") expand exponentially once anything
    walks or prints the value. Aliases to plain scalars stay allowed."""
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "an alias to a list or mapping is not allowed in rule files",
                node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))


def line_of(obj: Any, key: str | None = None, default: int | None = None) -> int | None:
    if isinstance(obj, LineDict):
        if key is not None and key in obj.key_lines:
            return obj.key_lines[key]
        return obj.line
    if isinstance(obj, LineList):
        return obj.line
    return default
