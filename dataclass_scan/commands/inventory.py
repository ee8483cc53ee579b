"""`dataclass-scan inventory PATH... --db FILE [--html FILE]`: scan and record the result
in an SQLite history (no values), optionally rendering the inventory as HTML.

`dataclass-scan diff OLD.json NEW.json` / `dataclass-scan diff --db FILE`: files that
became sensitive, changed label, or were cleaned between two scans.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from dataclass_scan.cli import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    ConfigOpt,
    ExcludeOpt,
    ForOpt,
    IncludeOpt,
    JobsOpt,
    LabelsOpt,
    MaxSizeOpt,
    NoIgnoreOpt,
    QuietOpt,
    RulesOpt,
    _fail,
    _run_with_progress,
    app,
)
from dataclass_scan.errors import DataclassScanError

DbOpt = Annotated[Path, typer.Option("--db", help="Inventory database (SQLite; created "
                                     "owner-only if missing).", show_default=False)]
HtmlOpt = Annotated[Path | None, typer.Option(
    "--html", help="Also write the inventory of this scan as a self-contained HTML page.")]


@app.command()
def inventory(
    paths: Annotated[list[str], typer.Argument(help="Files and folders to scan.",
                                               show_default=False)],
    db: DbOpt,
    html: HtmlOpt = None,
    destination: ForOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    max_file_size: MaxSizeOpt = None,
    no_ignore: NoIgnoreOpt = False,
    rules: RulesOpt = None,
    labels: LabelsOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    config_file: ConfigOpt = None,
) -> None:
    """Scan and record files, labels, finding counts by type, owners and sizes in an
    SQLite inventory (never a value). Exit 0, or 3 when some files could not be read."""
    from dataclass_scan.api import scan as run_scan
    from dataclass_scan.atomic import AtomicPrivateFile
    from dataclass_scan.classify.labels import load_label_policy
    from dataclass_scan.config import load_config, parse_size
    from dataclass_scan.report.inventory_html import render_inventory
    from dataclass_scan.report.manifest import manifest_digest
    from dataclass_scan.store.inventory import connect, record_scan

    try:
        config = load_config(config_file).merged(
            include=tuple(include) if include else None,
            exclude=tuple(exclude) if exclude else None,
            max_file_size=parse_size(max_file_size) if max_file_size else None,
            use_ignore_files=False if no_ignore else None,
            labels_file=labels, destination=destination, jobs=jobs)
        if rules:
            config = config.merged(rules=tuple(config.rules) + tuple(rules))
        policy = load_label_policy(config.labels_file)
        result = _run_with_progress(run_scan, paths, config, show=not quiet)
        with connect(db) as conn:
            scan_id = record_scan(conn, result, policy.labels, manifest_digest(result))
            page = render_inventory(conn, scan_id) if html is not None else ""
        if html is not None:
            out = AtomicPrivateFile(html, errors="backslashreplace")
            try:
                out.fh.write(page)
                out.commit()
            finally:
                out.discard()
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {html}: {exc.strerror}") from None
    if not quiet:
        sensitive = sum(1 for f in result.files
                        if f.label in policy.labels and policy.rank(f.label) > 0)
        typer.echo(f"scan {scan_id} recorded in {db}: {len(result.files)} files, {sensitive} "
                   f"sensitive, {sum(f.finding_count for f in result.files)} findings"
                   + (f"; inventory written to {html}" if html else ""), err=True)
    raise typer.Exit(EXIT_INCOMPLETE if result.incomplete else EXIT_OK)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("diff")
def diff_cmd(
    reports: Annotated[list[Path] | None, typer.Argument(
        help="OLD.json NEW.json: two saved JSON reports.", show_default=False)] = None,
    db: Annotated[Path | None, typer.Option(
        "--db", help="Compare the last two scans in this inventory database instead.")] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="text or json.",
                                            case_sensitive=False)] = DiffFormat.text,
    labels: LabelsOpt = None,
) -> None:
    """Files that became sensitive, changed label, or were cleaned between two scans."""
    from dataclass_scan.classify.labels import load_label_policy
    from dataclass_scan.report.serialize import load_report
    from dataclass_scan.store.inventory import (
        InventoryError,
        connect,
        diff,
        scan_ids,
        snapshot_from_db,
        snapshot_from_report,
    )

    try:
        if db is not None:
            if reports:
                raise _fail("give either two JSON reports or --db, not both")
            with connect(db, create=False) as conn:
                ids = scan_ids(conn)
                if len(ids) < 2:
                    raise InventoryError(f"{db}: holds {len(ids)} scan(s); diff needs two")
                old, new = snapshot_from_db(conn, ids[-2]), snapshot_from_db(conn, ids[-1])
                names = (f"scan {ids[-2]}", f"scan {ids[-1]}")
        else:
            if not reports or len(reports) != 2:
                raise _fail("diff needs OLD.json NEW.json, or --db FILE")
            order = load_label_policy(labels).labels
            old = snapshot_from_report(load_report(reports[0]), order)
            new = snapshot_from_report(load_report(reports[1]), order)
            names = (str(reports[0]), str(reports[1]))
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    result = diff(old, new)
    if fmt is DiffFormat.json:
        typer.echo(json.dumps({"old": names[0], "new": names[1], **result}, indent=2,
                              ensure_ascii=False))
    else:
        _print_diff(names, result)
    raise typer.Exit(EXIT_OK)


def _print_diff(names: tuple[str, str], result: dict[str, Any]) -> None:
    c = result["counts"]
    typer.echo(f"{names[0]} ({c['old_files']} files) -> {names[1]} ({c['new_files']} files): "
               f"{c['added']} added, {c['removed']} removed")
    sections = (("became sensitive", "became_sensitive"), ("label changed", "label_changed"),
                ("cleaned", "cleaned"), ("sensitive file removed", "removed_sensitive"))
    for title, key in sections:
        rows = result[key]
        typer.echo(f"{title}: {len(rows)}")
        for r in rows:
            old = r.get("old") or {}
            new = r.get("new") or {}
            typer.echo(f"  {r['path']}: {old.get('label') or '-'} -> "
                       f"{new.get('label') or '-'}")
