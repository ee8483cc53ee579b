"""Command-line glue: parse options, call the library, pick a reporter, set the exit code.

Exit codes: 0 nothing above the policy; 1 policy violation; 2 usage or configuration
error; 3 scan incomplete (some items could not be scanned, and nothing was blocked);
130 / 143 interrupted by Ctrl-C / SIGTERM (no report written).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from dataclass_scan import __version__
from dataclass_scan.commands.fastparams import FastCommand, FastGroup
from dataclass_scan.commands.gateopts import (
    AuditLogOpt,
    BaselineOpt,
    ChangedSinceOpt,
    FailClosedOpt,
    RequireClassOpt,
)
from dataclass_scan.errors import ConfigError, DataclassScanError

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3

app = typer.Typer(
    name="dataclass-scan",
    help="Decide whether data may be handed to an AI tool: find PII, secrets and "
    "markings, label each file and gate the upload.\n\n"
    "Exit codes: 0 clean for the destination; 1 policy violation; 2 usage or "
    "configuration error; 3 scan incomplete (nothing blocked, some files unread); "
    "130/143 interrupted (Ctrl-C/SIGTERM), no report written.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    cls=FastGroup,  # option values without pydantic where that is plain (fastparams.py)
)


class FailOn(str, Enum):
    block = "block"
    review = "review"
    never = "never"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dataclass-scan {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """dataclass-scan"""


PathsArg = Annotated[list[str], typer.Argument(help="Files and folders to scan.",
                                               show_default=False)]
ForOpt = Annotated[str | None, typer.Option(
    "--for", help="AI destination whose policy decides the verdict (e.g. public-ai, "
    "enterprise-ai). Default: the labels file's default_destination.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", help="Report format: console, json, jsonl, sarif, csv, markdown, junit, "
    "html or manifest.")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of standard output.")]
IncludeOpt = Annotated[list[str] | None, typer.Option(
    "--include", help="Only scan files matching this glob (gitignore syntax); repeatable.")]
ExcludeOpt = Annotated[list[str] | None, typer.Option(
    "--exclude", help="Skip files matching this glob (gitignore syntax); repeatable.")]
MaxSizeOpt = Annotated[str | None, typer.Option(
    "--max-file-size", help="Skip files larger than this (e.g. 500KB, 20MB, 2GB). Default 100MB.")]
FollowOpt = Annotated[bool | None, typer.Option(
    "--follow-symlinks/--no-follow-symlinks", help="Follow symbolic links (loops are detected).",
    show_default=False)]
NoIgnoreOpt = Annotated[bool, typer.Option(
    "--no-ignore", help="Do not honour .gitignore and .dataclassignore files.")]
RulesOpt = Annotated[list[Path] | None, typer.Option(
    "--rules", help="Extra rule pack file or folder; repeatable.")]
NoBuiltinOpt = Annotated[bool, typer.Option(
    "--no-builtin-rules", help="Use only the rule packs given with --rules.")]
LabelsOpt = Annotated[Path | None, typer.Option(
    "--labels", help="Labels and destinations file (default: the built-in rules/labels.yml).")]
ShowValuesOpt = Annotated[bool, typer.Option(
    "--show-values", help="Include raw sensitive values in the report (masked by default).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only the verdict and problems.")]
FailOnOpt = Annotated[FailOn, typer.Option(
    "--fail-on", help="Which verdict makes the exit code 1.", case_sensitive=False)]


class GroupBy(str, Enum):
    finding = "finding"
    file = "file"


GroupByOpt = Annotated[GroupBy, typer.Option(
    "--group-by", help="CSV rows: one per finding, or one per file.", case_sensitive=False)]
ForceShowValuesOpt = Annotated[bool, typer.Option(
    "--force-show-values", help="Allow --show-values in formats meant to be shared "
    "(SARIF, HTML), which refuse raw values otherwise.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Config file (default: .dataclass-scan.toml or [tool.dataclass-scan] in "
    "pyproject.toml in the current folder).")]


JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help="Worker processes (default: one per core). 1 scans in this "
    "process, without the per-file time and memory limits.")]
TimeoutOpt = Annotated[str | None, typer.Option(
    "--timeout", help="Per-file time limit, e.g. 30s, 5m; 0 = none. A file still running is "
    "reported as timeout and the scan goes on. Default 300s.")]
MaxMemoryOpt = Annotated[str | None, typer.Option(
    "--max-memory", help="Per-worker memory ceiling, e.g. 500MB, 2GB; 0 = none. A file that "
    "needs more is reported as an error (too-large). Default 2GB.")]

MaxFindingsOpt = Annotated[int | None, typer.Option(
    "--max-findings", min=0, help="Findings listed per file; the rest are counted, not "
    "listed, and still decide the label, min_count and the verdict. 0 = list all. "
    "Default 1000.")]


PasswordFileOpt = Annotated[Path | None, typer.Option(
    "--password-file", help="Candidate passwords for encrypted PDFs, Office files and zip "
    "members, one per line (never logged or reported).")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Scan every file again; do not read or write the incremental-scan "
    "cache.")]
PrefilterOpt = Annotated[str | None, typer.Option(
    "--prefilter", help="Prefilter engine: auto (Hyperscan for large texts when the `fast` "
    "extra is installed), python, or hyperscan. Results are identical; only speed differs.")]
CacheOpt = Annotated[Path | None, typer.Option(
    "--cache", help="Incremental-scan cache file (default: cache.sqlite in the per-"
    "installation folder, ~/.config/dataclass-scan or $DATACLASS_SCAN_HOME).")]


EdmOpt = Annotated[list[Path] | None, typer.Option(
    "--edm", help="Exact data match file made with `dataclass-scan edm build`; values that "
    "are records in it are reported with high confidence. Repeatable.")]


def _with_edm(extra: dict, edm: list[Path]) -> dict:  # type: ignore[type-arg]
    section = dict(extra.get("edm") or {})
    section["files"] = [*section.get("files", []), *(str(p.resolve()) for p in edm)]
    return {**extra, "edm": section}


def _prefilter_option(value: str | None) -> str | None:
    from dataclass_scan.config import check_prefilter

    if value is None:
        return None
    try:
        return check_prefilter(value)
    except ValueError as exc:
        raise _fail(f"--prefilter: {exc}") from None


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"dataclass-scan: error: {message}", err=True)
    return typer.Exit(code)


@app.command(cls=FastCommand)
def scan(
    paths: PathsArg,
    destination: ForOpt = None,
    fmt: FormatOpt = "console",
    output: OutputOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    max_file_size: MaxSizeOpt = None,
    follow_symlinks: FollowOpt = None,
    no_ignore: NoIgnoreOpt = False,
    rules: RulesOpt = None,
    no_builtin_rules: NoBuiltinOpt = False,
    labels: LabelsOpt = None,
    show_values: ShowValuesOpt = False,
    quiet: QuietOpt = False,
    fail_on: FailOnOpt = FailOn.block,
    config_file: ConfigOpt = None,
    group_by: GroupByOpt = GroupBy.finding,
    force_show_values: ForceShowValuesOpt = False,
    jobs: JobsOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    baseline: BaselineOpt = None,
    fail_closed: FailClosedOpt = False,
    require_classification: RequireClassOpt = False,
    audit_log: AuditLogOpt = None,
    changed_since: ChangedSinceOpt = None,
    password_file: PasswordFileOpt = None,
    no_cache: NoCacheOpt = False,
    cache_file: CacheOpt = None,
    edm: EdmOpt = None,
    prefilter: PrefilterOpt = None,
    max_findings: MaxFindingsOpt = None,
) -> None:
    """Scan files and folders, label each file and print a verdict for the destination."""
    from dataclass_scan.api import scan as run_scan
    from dataclass_scan.classify.gate import Gate
    from dataclass_scan.commands.gateopts import changed_paths, empty_result, gate_options, record
    from dataclass_scan.config import load_config, parse_duration, parse_size
    from dataclass_scan.report import ReportOptions, check_show_values, formats, get_reporter
    from dataclass_scan.report.output import ReportSink
    from dataclass_scan.sources.passwords import read_password_file

    if fmt not in formats():
        raise _fail(f"unknown format {fmt!r}; choose from {', '.join(formats())}")
    try:
        config = load_config(config_file)
        config = config.merged(
            include=tuple(include) if include else None,
            exclude=tuple(exclude) if exclude else None,
            max_file_size=parse_size(max_file_size) if max_file_size else None,
            follow_symlinks=follow_symlinks,
            use_ignore_files=False if no_ignore else None,
            rules=tuple(config.rules) + tuple(rules) if rules else None,
            builtin_rules=False if no_builtin_rules else None,
            labels_file=labels,
            destination=destination,
            show_values=show_values or None,
            jobs=jobs,
            timeout=parse_duration(timeout) if timeout is not None else None,
            max_memory=parse_size(max_memory) if max_memory is not None else None,
            cache=False if no_cache else None,
            cache_file=cache_file,
            passwords=read_password_file(password_file) if password_file else None,
            extra=_with_edm(config.extra, edm) if edm else None,
            prefilter=_prefilter_option(prefilter),
            max_findings=max_findings,
        )
        options = ReportOptions(show_values=show_values, quiet=quiet,
                                color=False if os.environ.get("NO_COLOR") else None,
                                group_by=group_by.value)
        reporter_cls = get_reporter(fmt)
        check_show_values(reporter_cls, fmt, show_values, force_show_values)
        policy, gate_opts = gate_options(config, baseline, fail_closed, require_classification)
        gate = Gate(policy, gate_opts, config.destination)
        scan_paths = changed_paths(paths, changed_since, quiet) if changed_since else paths
        sink = ReportSink(reporter_cls, options, output)
        try:
            if scan_paths:
                result = _run_with_progress(
                    run_scan, scan_paths, config,
                    show=not quiet and fmt == "console" and output is None,
                    on_result=lambda f: sink.file(gate.file(f)))
            else:
                result = empty_result(paths, config)
            outcome = gate.finish(result)
            result = outcome.result
            sink.end(result)
        finally:
            sink.close()
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror}") from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see interrupt.py)
        from dataclass_scan import interrupt

        raise _fail(f"interrupted by {interrupt.describe(exc)}: scan stopped; no complete "
                    "report was written", interrupt.exit_code(exc)) from None
    if output is not None and not quiet:
        typer.echo(f"report written to {output}", err=True)

    code = exit_code(result, fail_on)
    if outcome.problems:
        from dataclass_scan.commands.gateopts import report_problems

        report_problems(outcome.problems, config.config_file)
        code = EXIT_POLICY
    record(audit_log, "scan", _audit_data(result, code, baseline, outcome, changed_since))
    raise typer.Exit(code)


def _audit_data(result: object, code: int, baseline: Path | None, outcome: object,
                changed_since: str | None = None) -> dict:
    from dataclass_scan.report.manifest import manifest_digest
    from dataclass_scan.store.audit import scan_data

    extra: dict[str, object] = {"manifest": manifest_digest(result)}  # type: ignore[arg-type]
    if changed_since:
        extra["changed_since"] = changed_since
    if baseline is not None:
        extra["baseline"] = str(baseline)
    problems = getattr(outcome, "problems", ())
    if problems:
        extra["unclassified"] = [p.path for p in problems]
    return scan_data(result, code, **extra)


def exit_code(result: object, fail_on: FailOn) -> int:
    from dataclass_scan.model import ScanResult, Verdict

    assert isinstance(result, ScanResult)
    verdict = result.verdict
    if fail_on is not FailOn.never:
        if verdict is Verdict.BLOCK:
            return EXIT_POLICY
        if verdict is Verdict.REVIEW and fail_on is FailOn.review:
            return EXIT_POLICY
    if result.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_OK


def _run_with_progress(run_scan, paths, config, show: bool,  # type: ignore[no-untyped-def]
                       on_result=None):
    if not show or not sys.stderr.isatty():
        return run_scan(paths, config, progress=on_result)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("scanning", total=0)
        seen = {"n": 0}

        def on_item(_item: object) -> None:
            seen["n"] += 1
            progress.update(task, total=seen["n"])

        def on_progress(res: object) -> None:
            progress.advance(task)
            progress.update(task, description=f"scanning {getattr(res, 'path', '')[-40:]}")
            if on_result is not None:
                on_result(res)

        return run_scan(paths, config, progress=on_progress, on_item=on_item)


def one_command(argv: list[str]) -> typer.Typer:
    """The app with only the command (or command group) `argv` runs, when its first
    argument names one: typer builds the options of every command before it reads the
    arguments, a tenth of a small file's scan. Anything else (no command, an option
    first, a mistyped name, shell completion) gets the whole app."""
    import copy

    name = argv[1] if len(argv) > 1 else ""
    if not name or name.startswith("-") or any(
            key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return app
    from typer.main import get_command_name

    commands = [c for c in app.registered_commands if c.callback is not None and
                (c.name or get_command_name(c.callback.__name__)) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    one = copy.copy(app)  # (the module's app stays whole: tests and callers reuse it)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    import gc

    from dataclass_scan import interrupt
    from dataclass_scan.redact import silence_library_output

    # A scan keeps every file's result until the report is written, and the collector's
    # default thresholds make it walk all of them again and again as they pile up (a
    # fifth of a warm 10,000-file rescan). Results hold no reference cycles; collect
    # rarely. Workers forked from here inherit the setting.
    gc.set_threshold(100_000, 50, 50)
    interrupt.install()
    silence_library_output()
    try:
        one_command(sys.argv)()
    except SystemExit as exc:
        stopped = interrupt.find(exc)
        if stopped is not None:  # every command: 130 for Ctrl-C, 143 for SIGTERM
            sys.exit(interrupt.exit_code(stopped))
        raise
    except ConfigError as exc:  # pragma: no cover - safety net for errors outside commands
        typer.echo(f"dataclass-scan: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


# Sub-commands registered from their own modules (one import line each).
# ruff: noqa: E402
import dataclass_scan.commands.audit  # noqa: F401
import dataclass_scan.commands.baseline  # noqa: F401
import dataclass_scan.commands.check  # noqa: F401
import dataclass_scan.commands.edm  # noqa: F401
import dataclass_scan.commands.explain  # noqa: F401
import dataclass_scan.commands.extract  # noqa: F401
import dataclass_scan.commands.inventory  # noqa: F401
import dataclass_scan.commands.report  # noqa: F401
import dataclass_scan.commands.review  # noqa: F401
import dataclass_scan.commands.rules  # noqa: F401
