"""Options and glue shared by the gate commands (scan, check, review): baseline,
--fail-closed, --require-classification, --audit-log. Kept free of heavy imports; cli.py
imports the option aliases at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

BaselineOpt = Annotated[Path | None, typer.Option(
    "--baseline", help="Report only findings not in this baseline (and not decided "
    "false-positive or accepted-risk); see `dataclass-scan baseline create`.")]
FailClosedOpt = Annotated[bool, typer.Option(
    "--fail-closed", help="Treat files that could not be scanned (encrypted, unsupported, "
    "timeout, error) as blocked.")]
RequireClassOpt = Annotated[bool, typer.Option(
    "--require-classification", help="Fail (exit 1) on sensitive files that neither an "
    "embedded label nor a [manifest] entry covers, and on files above their declared label.")]
AuditLogOpt = Annotated[Path | None, typer.Option(
    "--audit-log", help="Append this run to this audit log (default: audit.jsonl in "
    "$DATACLASS_SCAN_HOME, ~/.config/dataclass-scan/).")]
ChangedSinceOpt = Annotated[str | None, typer.Option(
    "--changed-since", help="Scan only files under PATH changed against this git ref "
    "(git diff REF), plus untracked files.", metavar="REF")]


def gate_options(config: Any, baseline: Path | None, fail_closed: bool,
                 require_classification: bool) -> Any:
    """Build GateOptions from the config and flags (may raise ConfigError)."""
    from dataclass_scan.classify.baseline import load_baseline
    from dataclass_scan.classify.gate import GateOptions, load_manifest
    from dataclass_scan.classify.labels import load_label_policy

    policy = load_label_policy(config.labels_file)
    section = config.extra.get("manifest")
    base = Path(config.config_file).parent if config.config_file else Path.cwd()
    manifest = None
    if section is not None:
        manifest = load_manifest(section, base, policy, config.config_file or "config")
    elif require_classification:
        manifest = load_manifest({}, base, policy, "config")
    return policy, GateOptions(
        baseline=load_baseline(baseline) if baseline is not None else None,
        manifest=manifest, fail_closed=fail_closed,
        require_classification=require_classification)


def record(audit_log: Path | None, event: str, data: dict[str, Any]) -> None:
    """Append to the audit log. An explicit --audit-log that cannot be written is an
    error (exit 2); the default location failing only warns."""
    from dataclass_scan.store.audit import AuditError, append, default_audit_path

    path = audit_log or default_audit_path()
    try:
        append(path, event, data)
    except (AuditError, OSError) as exc:
        message = f"audit log not written: {exc}"
        if audit_log is not None:
            typer.echo(f"dataclass-scan: error: {message}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"dataclass-scan: warning: {message}", err=True)


def changed_paths(paths: list[str], ref: str, quiet: bool) -> list[str]:
    from dataclass_scan.changed import changed_files

    files = changed_files(paths, ref)
    if not quiet:
        typer.echo(f"{len(files)} file(s) changed since {ref}", err=True)
    return files


def empty_result(paths: list[str], config: Any) -> Any:
    """A clean result for a scan with nothing to read (no file changed)."""
    import datetime as _dt

    from dataclass_scan.api import build_context
    from dataclass_scan.detect.rulepack import packs_version
    from dataclass_scan.model import ScanMeta, ScanResult

    ctx = build_context(config)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return ScanResult(files=(), meta=ScanMeta(
        roots=tuple(paths), started=now, finished=now, destination=ctx.destination.name,
        packs=tuple(p.name for p in ctx.packs),
        rules_version=packs_version(ctx.packs)))


def report_problems(problems: Any, config_file: str | None) -> None:
    """`--require-classification` failures: each file, then the lines to paste."""
    where = config_file or ".dataclass-scan.toml"
    typer.echo(f"unclassified sensitive files ({len(problems)}): content that no manifest "
               "entry or embedded label covers, or above its declared label", err=True)
    for problem in problems:
        typer.echo(f"  {problem.message()}", err=True)
    typer.echo(f"to declare them, add to {where}:", err=True)
    section = "[tool.dataclass-scan.manifest]" if where.endswith("pyproject.toml") \
        else "[manifest]"
    typer.echo(section, err=True)
    for line in dict.fromkeys(p.fix for p in problems):
        typer.echo(line, err=True)
