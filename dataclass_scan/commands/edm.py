"""`dataclass-scan edm build`: make an exact-data-match file from a CSV table.

Exit codes: 0 written; 2 usage error (missing column, unreadable file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataclass_scan.cli import EXIT_OK, _fail, app
from dataclass_scan.errors import DataclassScanError

edm_app = typer.Typer(help="Exact data match: find values that are records of your tables.",
                      no_args_is_help=True)
app.add_typer(edm_app, name="edm")


@edm_app.command("build")
def build(
    source: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    columns: Annotated[str, typer.Option("--columns", help="Comma-separated column names.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .edm file to write.")],
) -> None:
    """Hash the chosen columns of a CSV file (keyed hashes only, no plaintext) into an
    .edm file for `scan --edm`."""
    from dataclass_scan.detect.edm import build as build_edm

    cols = [c.strip() for c in columns.split(",") if c.strip()]
    if not cols:
        raise _fail("--columns names no column")
    try:
        stats = build_edm(source, cols, out)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    per = ", ".join(f"{c}: {n}" for c, n in stats.values.items())
    typer.echo(f"{out}: {stats.rows} rows, distinct values hashed per column: {per}")
    raise typer.Exit(EXIT_OK)
