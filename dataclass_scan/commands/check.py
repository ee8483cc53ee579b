"""`dataclass-scan check PATH... --for DEST`: the one-screen verdict for an analyst."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from dataclass_scan.cli import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_POLICY,
    ConfigOpt,
    ExcludeOpt,
    FailOn,
    FailOnOpt,
    ForOpt,
    LabelsOpt,
    PathsArg,
    RulesOpt,
    _fail,
    app,
    exit_code,
)
from dataclass_scan.commands.gateopts import (
    AuditLogOpt,
    BaselineOpt,
    FailClosedOpt,
    gate_options,
    record,
)
from dataclass_scan.errors import DataclassScanError

MAX_FILES = 8
MAX_PLACES = 3

TopOpt = Annotated[int, typer.Option("--top", help="Files listed per verdict.", min=1)]


@app.command()
def check(
    paths: PathsArg,
    destination: ForOpt = None,
    fail_on: FailOnOpt = FailOn.block,
    fail_closed: FailClosedOpt = False,
    baseline: BaselineOpt = None,
    audit_log: AuditLogOpt = None,
    labels: LabelsOpt = None,
    rules: RulesOpt = None,
    exclude: ExcludeOpt = None,
    config_file: ConfigOpt = None,
    top: TopOpt = MAX_FILES,
) -> None:
    """May these files go to DEST? One screen: allow / review / block, the reasons, and
    where to look (path:location of the findings that decided it)."""
    from dataclass_scan.api import scan as run_scan
    from dataclass_scan.classify.gate import apply_gate
    from dataclass_scan.config import load_config

    try:
        config = load_config(config_file).merged(
            labels_file=labels, destination=destination,
            rules=tuple(load_config(config_file).rules) + tuple(rules) if rules else None,
            exclude=tuple(exclude) if exclude else None)
        policy, gate = gate_options(config, baseline, fail_closed, False)
        outcome = apply_gate(run_scan(paths, config), policy, gate)
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    result = outcome.result
    code = exit_code(result, fail_on)
    dest = policy.destinations[result.meta.destination or policy.default_destination]
    render(result, dest, code, top, outcome.suppressed)
    record(audit_log, "check", _data(result, code))
    raise typer.Exit(code)


def _data(result: Any, code: int) -> dict[str, Any]:
    from dataclass_scan.store.audit import scan_data

    return scan_data(result, code, command="check")


def render(result: Any, dest: Any, code: int, top: int, suppressed: int) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.text import Text

    from dataclass_scan.model import Status, Verdict
    from dataclass_scan.report.console import LABEL_STYLE, VERDICT_STYLE

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True,
                      no_color=bool(os.environ.get("NO_COLOR")))
    if not console.is_terminal:
        console.width = max(console.width, 120)
    verdict = result.verdict
    counts = Counter(f.verdict.value for f in result.files if f.verdict)
    unread = [f for f in result.files
              if f.status not in (Status.SCANNED, Status.SKIPPED, Status.PARTIAL)]
    if unread and verdict is Verdict.ALLOW and not any(f.verdict for f in unread):
        head = Text("INCOMPLETE", style="bold yellow")  # nothing blocked, not all read
    else:
        head = Text(verdict.value.upper(), style=VERDICT_STYLE[verdict.value])
    head.append(f"  for {dest.name}", style="bold")
    if dest.description:
        head.append(f" ({dest.description})")
    console.print(head)
    line = (f"{len(result.files)} files: {counts['allow']} allow, {counts['review']} review, "
            f"{counts['block']} block, {len(unread)} not scanned")
    if suppressed:
        line += f"; {suppressed} known findings suppressed by the baseline"
    console.print(line)
    console.print(f"{dest.name} takes up to {dest.allow_up_to} freely, up to "
                  f"{dest.review_up_to} after review; never: "
                  f"{', '.join(sorted(dest.block_categories)) or 'nothing'}")
    for v in (Verdict.BLOCK, Verdict.REVIEW):
        files = sorted((f for f in result.files if f.verdict is v), key=lambda f: f.path)
        for f in files[:top]:
            console.print()
            t = Text(f"{v.value:<7}", style=VERDICT_STYLE[v.value])
            t.append(f.path, style="bold")
            if f.label:
                t.append("  ")
                t.append(f.label, style=LABEL_STYLE.get(f.label, ""))
            if f.declared_label:
                t.append(f" (declared {f.declared_label})")
            console.print(t)
            for reason in f.reasons:
                console.print(Text(f"  why   {reason}"))
            for place in _places(f):
                console.print(Text(f"  look  {place}"))
        if len(files) > top:
            console.print(f"... and {len(files) - top} more {v.value} files "
                          "(full list: dataclass-scan scan -f json)")
    if unread:
        console.print()
        for f in unread[:top]:
            why = "; ".join(f.errors) or f.status.value
            console.print(Text(f"unread {f.path}: {f.status.value}: {why}"))
        if len(unread) > top:
            console.print(f"... and {len(unread) - top} more files not scanned")
    console.print()
    console.print(_footer(code, dest.name, verdict.value))


def _places(f: Any) -> list[str]:
    """Where to look: the strongest findings first, one per entity type, then more."""
    findings = sorted(f.findings, key=lambda x: (-x.confidence.rank, x.type))
    seen: set[str] = set()
    first, rest = [], []
    for x in findings:
        (rest if x.type in seen else first).append(x)
        seen.add(x.type)
    chosen = (first + rest)[:MAX_PLACES]
    out = [f"{f.path}{x.location.render()}  {x.type} ({x.confidence.value})  "
           f"{_one_line(x.excerpt)}" for x in chosen]
    if f.finding_count > len(chosen):  # beyond MAX_PLACES, or beyond --max-findings
        out.append(f"... {f.finding_count - len(chosen)} more findings in this file")
    return out


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _footer(code: int, dest: str, verdict: str) -> str:
    if code == EXIT_OK and verdict == "review":
        return (f"exit {code}: a person must review the files above before they go to "
                f"{dest} (--fail-on review makes this exit 1)")
    if code == EXIT_POLICY:
        return (f"exit {code}: do not send this to {dest}; remove or mask what is listed, "
                "or have a person review it")
    if code == EXIT_INCOMPLETE:
        return f"exit {code}: some files could not be read; nothing was cleared for them"
    if code == EXIT_OK:
        return f"exit {code}: nothing above the policy of {dest}"
    return f"exit {code}"

