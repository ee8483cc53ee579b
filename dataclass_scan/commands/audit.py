"""`dataclass-scan audit verify FILE` and `audit show FILE`: the tamper-evident trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataclass_scan.cli import EXIT_OK, EXIT_POLICY, _fail, app

audit_app = typer.Typer(help="Check and list the audit trail (scans, checks, decisions).",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")

LogArg = Annotated[Path | None, typer.Argument(
    help="Audit log (default: audit.jsonl in $DATACLASS_SCAN_HOME, "
    "~/.config/dataclass-scan/).", show_default=False)]


def _path(file: Path | None) -> Path:
    from dataclass_scan.store.audit import default_audit_path

    return file or default_audit_path()


@audit_app.command("verify")
def verify(file: LogArg = None) -> None:
    """Check the hash chain. Exit 0 when intact; 1 naming the first bad entry."""
    from dataclass_scan.store.audit import AuditError
    from dataclass_scan.store.audit import verify as check_chain

    path = _path(file)
    try:
        outcome = check_chain(path)
    except AuditError as exc:
        raise _fail(str(exc)) from None
    typer.echo(outcome.message(path), err=not outcome.ok)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_POLICY)


@audit_app.command("show")
def show(
    file: LogArg = None,
    last: Annotated[int | None, typer.Option("--last", "-n", min=1,
                                             help="Only the last N entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Raw JSON Lines.")] = False,
) -> None:
    """List entries: sequence, time, user, event and what it decided."""
    from dataclass_scan.store.audit import AuditError, describe, read_entries

    path = _path(file)
    try:
        rows = list(read_entries(path))
    except AuditError as exc:
        raise _fail(str(exc)) from None
    if last is not None:
        rows = rows[-last:]
    for line, entry, raw in rows:
        if as_json:
            typer.echo(raw)
        elif entry is None:
            typer.echo(f"line {line}: damaged entry")
        else:
            typer.echo(describe(entry))
