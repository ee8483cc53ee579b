"""Option values without typer's pydantic layer where the answer is plain.

Typer (0.2x and later) turns each option value into its declared type with a pydantic
TypeAdapter, and builds that adapter for every option of the command being run, even
one left at None (it is built before the value is looked at). Importing pydantic and
building thirty adapters was a quarter of a one-file scan, which is what a pre-commit
hook pays on every commit.

`FastGroup` and `FastCommand` give each option a stand-in for typer's coercion that answers
the values a command line mostly holds without pydantic: nothing, a string for a `str`
option, a member or a name of an `Enum`, a decimal integer within the option's bounds,
and lists of those. The answers are exactly typer's (its own `coerce_cli_choice` picks
enum members). Anything else, and every value typer would reject, goes to typer's own
coercion, built on first need, so conversions, error messages and exit codes stay
typer's. With a typer that has no such layer (or has changed it) nothing is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

from typer.core import TyperCommand, TyperGroup

_UNANSWERED: Any = object()


class FastGroup(TyperGroup):
    """The app's group (`typer.Typer(cls=FastGroup)`): its options, the help and
    completion options typer adds, and its commands' declared options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            lighten(command.params)

    def get_params(self, ctx: Any) -> Any:
        return lighten(super().get_params(ctx))


class FastCommand(TyperCommand):
    """A command whose help option gets a stand-in too (`@app.command(cls=FastCommand)`):
    for the commands where start-up matters (`scan`)."""

    def get_params(self, ctx: Any) -> Any:
        return lighten(super().get_params(ctx))


def lighten(params: list[Any]) -> list[Any]:
    """Give each typer parameter a stand-in coercion, unless typer's own was built."""
    runtime = _runtime_param_class()
    if runtime is None:
        return params
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if (descriptor is not None and getattr(param, "_runtime_param", 0) is None
                and getattr(descriptor, "file_annotation", 0) is None
                and getattr(descriptor.parameter_info, "parser", 0) is None):
            param._runtime_param = runtime(parameter_info=descriptor.parameter_info,
                                           annotation=descriptor.annotation,
                                           descriptor=descriptor)
    return params


_CLASS: list[Any] = []


def _runtime_param_class() -> Any:
    """The stand-in class, made once; None when typer has no pydantic coercion layer."""
    if not _CLASS:
        try:
            from typer._coercion import RuntimeParam, build_runtime_param
            from typer._param_types import coerce_cli_choice
        except ImportError:
            _CLASS.append(None)
        else:
            _CLASS.append(_make_class(RuntimeParam, build_runtime_param, coerce_cli_choice))
    return _CLASS[0]


def _make_class(base: Any, build: Any, choose: Any) -> Any:
    @dataclass(frozen=True)
    class PlainRuntimeParam(base):  # type: ignore[misc,valid-type]
        """typer's RuntimeParam: `coerce` (None and multi-value checks) is typer's."""

        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            found = _plain(self.annotation, self.parameter_info, value, ctx, choose)
            if found is not _UNANSWERED:
                return found
            real = build(self.descriptor)  # pydantic, as typer does it
            param._runtime_param = real
            return real._coerce_value(value, param=param, ctx=ctx)

    return PlainRuntimeParam


def _plain(annotation: Any, info: Any, value: Any, ctx: Any, choose: Any) -> Any:
    """What typer's adapter gives for `value`, where that needs no pydantic; else
    _UNANSWERED."""
    if get_origin(annotation) is list:
        if not isinstance(value, (list, tuple)):
            return _UNANSWERED
        (item_type,) = get_args(annotation)
        items = [_plain(item_type, info, v, ctx, choose) for v in value]
        return _UNANSWERED if any(i is _UNANSWERED for i in items) else items
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return choose(value, choices=list(annotation), case_sensitive=info.case_sensitive,
                          ctx=ctx)
        except Exception:  # noqa: BLE001 - typer's adapter reports it in its own words
            return _UNANSWERED
    if annotation is str:
        return value if type(value) is str else _UNANSWERED
    if annotation is int and not info.clamp:
        if type(value) is int:
            number = value
        elif type(value) is str and value.isascii() and value.isdigit() and len(value) < 20:
            number = int(value)
        else:
            return _UNANSWERED
        if (info.min is not None and number < info.min) or (
                info.max is not None and number > info.max):
            return _UNANSWERED
        return number
    return _UNANSWERED
