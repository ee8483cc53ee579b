"""`dataclass-scan rules list|show|test|lint`: inspect and check rule packs.

Exit codes: 0 fine; 1 an example failed (`test`) or lint found an error (`lint`);
2 a rule file could not be loaded or the usage is wrong.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from dataclass_scan.cli import EXIT_OK, EXIT_POLICY, EXIT_USAGE, NoBuiltinOpt, _fail, app
from dataclass_scan.errors import DataclassScanError

rules_app = typer.Typer(
    help="Inspect and check rule packs: list, show, test (embedded examples), lint.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")


class ListFormat(str, Enum):
    table = "table"
    json = "json"


ExtraRulesOpt = Annotated[list[Path] | None, typer.Option(
    "--rules", help="Also load this rule pack file or folder; repeatable.")]
ListFormatOpt = Annotated[ListFormat, typer.Option(
    "--format", "-f", help="table (default) or json.", case_sensitive=False)]
PathsArg = Annotated[list[Path] | None, typer.Argument(
    help="Rule files or folders (default: the built-in packs).", show_default=False)]


def _load(extra: list[Path] | None, builtin: bool) -> list[Any]:
    from dataclass_scan.detect.rulepack import load_packs

    try:
        packs = load_packs(list(extra or []), include_builtin=builtin)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    if not packs:
        raise _fail("no rule packs loaded")
    return packs


def rule_summary(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.id, "name": rule.name, "type": rule.type, "category": rule.category,
        "pack": rule.pack, "kind": rule.kind, "confidence": rule.confidence.value,
        "validators": list(rule.validators),
        "context_required": rule.context.required,
        "languages": [lang for lang, _ in rule.context.keywords_by_lang],
    }


def rule_detail(rule: Any) -> dict[str, Any]:
    ctx = rule.context
    out = rule_summary(rule)
    out.update({
        "description": rule.description,
        "source": rule.source,
        "patterns": list(rule.patterns),
        "flags": rule.flags,
        "terms": len(rule.terms) if rule.terms_file else list(rule.terms),
        "terms_file": rule.terms_file or None,
        "context": {
            "window": ctx.window, "boost": ctx.boost, "required": ctx.required,
            "penalty": ctx.penalty,
            "keywords": ({lang: list(ws) for lang, ws in ctx.keywords_by_lang}
                         or list(ctx.keywords)),
            "negative": ({lang: list(ws) for lang, ws in ctx.negative_by_lang}
                         or list(ctx.negative)),
        },
        "exclude": {"values": len(rule.exclude.values), "patterns": list(rule.exclude.patterns),
                    "words": list(rule.exclude.words)},
        "min_count": rule.min_count,
        "examples": {"match": list(rule.match_examples),
                     "no_match": list(rule.no_match_examples)},
    })
    return out


@rules_app.command("list")
def list_rules(
    fmt: ListFormatOpt = ListFormat.table,
    rules: ExtraRulesOpt = None,
    no_builtin_rules: NoBuiltinOpt = False,
    pack: Annotated[str | None, typer.Option("--pack", help="Only this pack.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")
                        ] = None,
) -> None:
    """List every loaded rule: id, entity type, category, pack, validators."""
    packs = _load(rules, not no_builtin_rules)
    selected = [r for p in packs for r in p.rules
                if (pack is None or r.pack == pack)
                and (category is None or r.category == category)]
    if fmt is ListFormat.json:
        typer.echo(json.dumps([rule_summary(r) for r in selected], indent=2))
        raise typer.Exit(EXIT_OK)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(selected)} rules, {len({r.type for r in selected})} entity types",
                  header_style="bold")
    for col in ("id", "type", "category", "pack", "confidence", "validators"):
        table.add_column(col, overflow="fold")
    for r in selected:
        table.add_row(r.id, r.type, r.category, r.pack, r.confidence.value,
                      ", ".join(r.validators) + (" (context required)"
                                                 if r.context.required else ""))
    console = Console(file=sys.stdout, highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 140)
    console.print(table)


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="Rule id (see `rules list`).")],
    fmt: ListFormatOpt = ListFormat.table,
    rules: ExtraRulesOpt = None,
    no_builtin_rules: NoBuiltinOpt = False,
) -> None:
    """Show one rule in full: patterns, validators, context words, exclusions, examples."""
    packs = _load(rules, not no_builtin_rules)
    found = [r for p in packs for r in p.rules if r.id == rule_id]
    if not found:
        raise _fail(f"no rule {rule_id!r}; `dataclass-scan rules list` shows the ids")
    detail = rule_detail(found[0])
    if fmt is ListFormat.json:
        typer.echo(json.dumps(detail, indent=2, ensure_ascii=False))
        raise typer.Exit(EXIT_OK)
    for key, value in detail.items():
        if isinstance(value, dict):
            typer.echo(f"{key}:")
            for k, v in value.items():
                typer.echo(f"  {k}: {_plain(v)}")
        elif isinstance(value, list) and value and key in ("patterns",):
            typer.echo(f"{key}:")
            for v in value:
                typer.echo(f"  - {v}")
        else:
            typer.echo(f"{key}: {_plain(value)}")


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                         for k, v in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return "-" if value in (None, "") else str(value)


def _packs_for(paths: list[Path] | None) -> list[Any]:
    """The given files/folders alone, or the built-in packs when none are given."""
    if paths:
        return _load(paths, builtin=False)
    return _load(None, builtin=True)


@rules_app.command("test")
def test_rules(
    paths: PathsArg = None,
    fmt: ListFormatOpt = ListFormat.table,
) -> None:
    """Run every rule's embedded examples and report every failure (exit 1 if any)."""
    from dataclass_scan.detect.ruletest import run_examples

    packs = _packs_for(paths)
    report = run_examples(packs)
    if fmt is ListFormat.json:
        typer.echo(json.dumps({
            "rules": report.rules, "examples": report.examples,
            "failures": [{"rule": f.rule, "pack": f.pack, "source": f.source, "kind": f.kind,
                          "text": f.text, "detail": f.detail} for f in report.failures],
        }, indent=2, ensure_ascii=False))
    else:
        for f in report.failures:
            typer.echo(f"FAIL {f.source}: {f.rule}: {f.kind} example {f.text!r}: {f.detail}")
        typer.echo(f"{report.rules} rules, {report.examples} examples, "
                   f"{len(report.failures)} failure(s)")
    raise typer.Exit(EXIT_OK if report.ok else EXIT_POLICY)


@rules_app.command("lint")
def lint_rules(
    paths: PathsArg = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    fmt: ListFormatOpt = ListFormat.table,
) -> None:
    """Check rule files: schema, duplicate ids, catastrophic backtracking, missing examples."""
    from dataclass_scan.detect.lint import lint_paths
    from dataclass_scan.detect.rulepack import builtin_rules_dir

    targets = list(paths) if paths else [builtin_rules_dir()]
    packs, issues = lint_paths(targets)
    if fmt is ListFormat.json:
        typer.echo(json.dumps([{"severity": i.severity, "where": i.where, "rule": i.rule,
                                "message": i.message} for i in issues], indent=2))
    else:
        for i in issues:
            rule = f"{i.rule}: " if i.rule else ""
            typer.echo(f"{i.severity}: {i.where}: {rule}{i.message}")
        errors = sum(i.severity == "error" for i in issues)
        typer.echo(f"{sum(len(p.rules) for p in packs)} rules in {len(packs)} pack(s): "
                   f"{errors} error(s), {len(issues) - errors} warning(s)")
    failed = any(i.severity == "error" or strict for i in issues)
    if not packs and not issues:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_POLICY if failed else EXIT_OK)


class ImportFrom(str, Enum):
    gitleaks = "gitleaks"
    presidio = "presidio"


@rules_app.command("import")
def import_rules(
    source: Annotated[Path, typer.Argument(help="gitleaks TOML or Presidio YAML file.")],
    kind: Annotated[ImportFrom, typer.Option("--from", help="gitleaks or presidio.",
                                             case_sensitive=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Rule pack to write (.yml).")],
) -> None:
    """Convert gitleaks rules or Presidio recognizers into a rule pack, then validate it
    (exit 2 if a converted pattern is not accepted)."""
    import yaml

    from dataclass_scan.detect.importers import from_gitleaks, from_presidio
    from dataclass_scan.detect.rulepack import load_pack

    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {source}: {exc}") from None
    try:
        pack = (from_gitleaks if kind is ImportFrom.gitleaks else from_presidio)(text)
        out.write_text(yaml.safe_dump(pack, sort_keys=False, allow_unicode=True, width=100),
                       encoding="utf-8")
        loaded = load_pack(out)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"{out}: {len(loaded.rules)} rules; check them with "
               f"`dataclass-scan rules lint {out}` and add examples for `rules test`")
    raise typer.Exit(EXIT_OK)
