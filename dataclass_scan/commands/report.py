"""`dataclass-scan report SAVED.json --format FMT [-o FILE]`: re-render a saved v1 JSON
report in another format, without scanning again."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from dataclass_scan.cli import (
    EXIT_OK,
    ForceShowValuesOpt,
    FormatOpt,
    GroupBy,
    GroupByOpt,
    OutputOpt,
    QuietOpt,
    ShowValuesOpt,
    _fail,
    app,
)
from dataclass_scan.errors import DataclassScanError

SavedArg = Annotated[Path, typer.Argument(help="A JSON report saved with `scan -f json`.",
                                          show_default=False)]


@app.command("report")
def report(
    saved: SavedArg,
    fmt: FormatOpt = "console",
    output: OutputOpt = None,
    show_values: ShowValuesOpt = False,
    force_show_values: ForceShowValuesOpt = False,
    group_by: GroupByOpt = GroupBy.finding,
    quiet: QuietOpt = False,
) -> None:
    """Re-render a saved JSON report in any format (no rescan). Exit code 0 when written."""
    from dataclass_scan.report import ReportOptions, check_show_values, formats, get_reporter
    from dataclass_scan.report.output import ReportSink
    from dataclass_scan.report.serialize import load_report, report_has_values, scan_from_dict

    if fmt not in formats():
        raise _fail(f"unknown format {fmt!r}; choose from {', '.join(formats())}")
    try:
        data = load_report(saved)
        if report_has_values(data) and not show_values:
            raise _fail(f"{saved} holds raw values (it was written with --show-values); "
                        "re-render it with --show-values, or rescan without it")
        result = scan_from_dict(data)
        reporter_cls = get_reporter(fmt)
        check_show_values(reporter_cls, fmt, show_values, force_show_values)
        options = ReportOptions(show_values=show_values, quiet=quiet,
                                color=False if os.environ.get("NO_COLOR") else None,
                                group_by=group_by.value)
        ReportSink(reporter_cls, options, output).render(result)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror}") from None
    if output is not None and not quiet:
        typer.echo(f"report written to {output}", err=True)
    raise typer.Exit(EXIT_OK)
