"""`dataclass-scan baseline create PATH... [-o FILE]`: record current findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataclass_scan.cli import (
    ConfigOpt,
    ExcludeOpt,
    LabelsOpt,
    PathsArg,
    RulesOpt,
    _fail,
    app,
)
from dataclass_scan.commands.gateopts import AuditLogOpt, record
from dataclass_scan.errors import DataclassScanError

baseline_app = typer.Typer(help="Record known findings so later scans report only new ones.",
                           no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")

BaselineOutOpt = Annotated[Path, typer.Option(
    "--output", "-o", help="Baseline file to write (kept decisions are merged in).")]
ExpiresOpt = Annotated[str | None, typer.Option(
    "--expires", help="Entries stop suppressing after this date (2027-03-31) or span "
    "(90d, 12w, 6m).")]


@baseline_app.command("create")
def create(
    paths: PathsArg,
    output: BaselineOutOpt = Path(".dataclass-baseline.json"),
    expires: ExpiresOpt = None,
    labels: LabelsOpt = None,
    rules: RulesOpt = None,
    exclude: ExcludeOpt = None,
    config_file: ConfigOpt = None,
    audit_log: AuditLogOpt = None,
) -> None:
    """Scan PATH... and write every finding (rule, path, keyed value hash; no values, no
    line numbers) to the baseline, sorted one entry per line. Decisions already recorded
    in an existing baseline are kept for findings still present."""
    from dataclass_scan.api import scan as run_scan
    from dataclass_scan.classify.baseline import (
        baseline_entries,
        load_baseline,
        new_baseline,
        parse_expiry,
    )
    from dataclass_scan.config import load_config

    try:
        config = load_config(config_file)
        # A baseline holds every finding: findings beyond --max-findings carry no value
        # hash, so the cap is off here (memory grows with the findings of a file).
        config = config.merged(
            labels_file=labels, exclude=tuple(exclude) if exclude else None,
            rules=tuple(config.rules) + tuple(rules) if rules else None, max_findings=0)
        until = parse_expiry(expires)
        old = load_baseline(output) if output.exists() else None
        result = run_scan(paths, config)
        current = baseline_entries(result.files, expires=until, base=output.parent)
        fresh = new_baseline(current)
        kept = 0
        if old is not None:
            still = {e.key for e in fresh.entries}
            decided = [e for e in old.entries if e.decision is not None and e.key in still]
            kept = len(decided)
            fresh = fresh.with_entries(decided)
        fresh.save(output)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror}") from None
    n = len(fresh.entries)
    files = len({e.path for e in fresh.entries})
    typer.echo(f"baseline: {n} findings in {files} files written to {output}"
               + (f" ({kept} decisions kept)" if kept else ""), err=True)
    record(audit_log, "baseline", {"action": "create", "file": str(output), "entries": n,
                                   "roots": list(paths), "expires": until,
                                   "decisions_kept": kept})
