"""`dataclass-scan explain PATH[:LOCATION]`: trace every detection decision.

Exit codes: 0 explained; 2 usage or configuration error; 3 a file could not be read."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from dataclass_scan.cli import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    NoBuiltinOpt,
    RulesOpt,
    ShowValuesOpt,
    _fail,
    app,
)
from dataclass_scan.errors import DataclassScanError


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("explain")
def explain(
    targets: Annotated[list[str], typer.Argument(
        help="FILE, or FILE:LOCATION (FILE:12 for line 12, FILE:page 2, book.xlsx!Sheet1!B7, "
        "data.json:/customers/0/ssn).", show_default=False)],
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", help="text or json.",
                                               case_sensitive=False)] = ExplainFormat.text,
    rules: RulesOpt = None,
    no_builtin_rules: NoBuiltinOpt = False,
    show_values: ShowValuesOpt = False,
    all_candidates: Annotated[bool, typer.Option(
        "--all", help="Also list candidates dropped by their validator (wrong checksums).")
    ] = False,
    config_file: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
) -> None:
    """Explain each detection decision: the rule that matched, the validator verdict, the
    context words, and any exclusion, allowlist entry or ignore marker that applied."""
    from dataclass_scan.api import build_engine, load_rules
    from dataclass_scan.config import load_config
    from dataclass_scan.detect.explain import explain_paths, split_target
    from dataclass_scan.model import INCOMPLETE_STATUSES

    try:
        config = load_config(config_file)
        config = config.merged(
            rules=tuple(config.rules) + tuple(rules) if rules else None,
            builtin_rules=False if no_builtin_rules else None)
        engine = build_engine(config, load_rules(config))
        incomplete = False
        out: list[dict[str, Any]] = []
        for target in targets:
            path, where = split_target(target)
            for fx in explain_paths([path], config, engine, where=where,
                                    show_values=show_values):
                incomplete = incomplete or fx.status in INCOMPLETE_STATUSES
                decisions = [d for d in fx.decisions if all_candidates or not (
                    d.steps and d.steps[-1][0] == "validator" and d.steps[-1][1] == "drop")]
                if fmt is ExplainFormat.json:
                    out.append({
                        "path": fx.path, "format": fx.format, "status": fx.status.value,
                        "errors": list(fx.errors),
                        "decisions": [{"rule": d.rule, "type": d.type, "kept": d.kept,
                                       "location": d.location.to_dict(), "value": d.value,
                                       "steps": [{"step": s, "outcome": o, "detail": t}
                                                 for s, o, t in d.steps]}
                                      for d in decisions],
                        "file": [{"rule": r, "step": s, "outcome": o, "detail": t}
                                 for r, s, o, t in fx.file_steps]})
                    continue
                typer.echo(f"{fx.path} ({fx.format or 'unknown'}, {fx.status.value})")
                for err in fx.errors:
                    typer.echo(f"  error: {err}")
                if not decisions:
                    typer.echo("  no candidates")
                for d in decisions:
                    verdict = "REPORTED" if d.kept else "dropped"
                    typer.echo(f"  {fx.path}{d.location.render()}  {d.rule} ({d.type})  "
                               f"{d.value}  -> {verdict}")
                    for step, outcome, detail in d.steps:
                        typer.echo(f"      {step:<13} {outcome:<5} {detail}")
                for r, s, o, t in fx.file_steps:
                    typer.echo(f"  file: {r} {s} {o}: {t}")
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    if fmt is ExplainFormat.json:
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    raise typer.Exit(EXIT_INCOMPLETE if incomplete else EXIT_OK)
