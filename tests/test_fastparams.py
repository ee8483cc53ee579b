"""commands/fastparams.py: option values without pydantic give exactly typer's answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from dataclass_scan.cli import FailOn, GroupBy, app
from dataclass_scan.commands import fastparams

STAND_IN = fastparams._runtime_param_class()
pytestmark = pytest.mark.skipif(STAND_IN is None, reason="typer without a pydantic layer")

VALUES: list[Any] = [
    None, (), [], "", "x", "console", "never", "NEVER", "Review", "bogus", "finding",
    FailOn.block, GroupBy.file, "1", "0", "-1", "007", " 3", "3.0", "1_000", "٣",
    "99999999999999999999999", 5, 0, True, 2.5, ["a", "b"], ("a", "never"), ("1", "2"),
    "-", "report.json", Path("x.yml"), ["x.yml"],
]


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[Any, ...]:
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error is part of the answer
        return ("error", type(exc).__name__, str(exc))
    return ("value", type(got).__name__, got)


def _params() -> list[Any]:
    group = typer.main.get_command(app)
    ctx = group.make_context("dataclass-scan", ["scan", "x"], resilient_parsing=True)
    out = [(p, ctx) for p in group.get_params(ctx)]
    for name in ("scan", "check", "rules", "extract"):
        command = group.commands[name]
        sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        out.extend((p, sub) for p in command.get_params(sub))
    return out


@pytest.mark.parametrize(("param", "ctx"), _params(),
                         ids=lambda x: getattr(x, "name", None) or "ctx")
def test_same_answer_as_typer_for_every_value(param: Any, ctx: Any) -> None:
    from typer._coercion import build_runtime_param

    descriptor = param.type_descriptor
    for value in VALUES:
        real = build_runtime_param(descriptor)
        stand_in = STAND_IN(parameter_info=descriptor.parameter_info,
                            annotation=descriptor.annotation, descriptor=descriptor)
        saved = param._runtime_param
        try:
            assert _outcome(stand_in, value, param, ctx) == _outcome(real, value, param, ctx), (
                param.name, value)
        finally:
            param._runtime_param = saved


def test_scan_options_are_given_stand_ins() -> None:
    group = typer.main.get_command(app)
    ctx = group.make_context("dataclass-scan", ["scan", "x"], resilient_parsing=True)
    scan = group.commands["scan"]
    sub = scan.make_context("scan", ["x"], parent=ctx, resilient_parsing=True)
    params = [*group.get_params(ctx), *scan.get_params(sub)]
    assert params and all(isinstance(p._runtime_param, STAND_IN) for p in params
                          if p.type_descriptor.file_annotation is None)


def test_a_one_file_scan_does_not_import_pydantic(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("Contact jane.doe@acme-corp.com, SSN 536-22-8145\n")
    code = ("import sys; from dataclass_scan.cli import main\n"
            f"sys.argv = ['dataclass-scan', 'scan', '-q', '--fail-on', 'never', '-j', '1', "
            f"{str(small)!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "print(code, 'pydantic' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.split()[-2:] == ["0", "False"], proc.stdout + proc.stderr
