"""`dataclass-scan review [PATH...] [--baseline FILE] [--audit-log FILE]`: a person
decides about findings — false positive, accepted risk, must fix — recorded with reviewer,
reason and time in the baseline and in the audit log, and honoured by later scans
(false-positive and accepted-risk suppressed, must-fix always reported).

Open findings are baseline entries nobody has decided yet, plus (with PATH...) findings a
fresh scan finds that the baseline does not hold. Interactive on a terminal; scripts use
`--finding ID`/`--all` with `--decision`, `--reason` and `--reviewer`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dataclass_scan.cli import EXIT_OK, ConfigOpt, LabelsOpt, RulesOpt, _fail, app
from dataclass_scan.commands.gateopts import AuditLogOpt, record
from dataclass_scan.errors import DataclassScanError

ReviewPathsArg = Annotated[list[str] | None, typer.Argument(
    help="Scan these too, so findings not yet in the baseline can be decided.",
    show_default=False)]
ReviewBaselineOpt = Annotated[Path, typer.Option(
    "--baseline", help="Baseline file holding the decisions.")]
FindingOpt = Annotated[list[str] | None, typer.Option(
    "--finding", help="Finding id (first hex digits of its value hash, as listed) or full "
    "value hash; repeatable.")]
AllOpt = Annotated[bool, typer.Option("--all", help="Decide every open finding.")]
DecisionOpt = Annotated[str | None, typer.Option(
    "--decision", help="false-positive, accepted-risk or must-fix.")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (required).")]
ReviewerOpt = Annotated[str | None, typer.Option(
    "--reviewer", help="Who decides (default: the login name).")]
InteractiveOpt = Annotated[bool | None, typer.Option(
    "--interactive/--no-interactive",
    help="Prompt for each open finding (default: when standard input is a terminal).",
    show_default=False)]

MIN_ID = 6


@app.command()
def review(
    paths: ReviewPathsArg = None,
    baseline: ReviewBaselineOpt = Path(".dataclass-baseline.json"),
    audit_log: AuditLogOpt = None,
    finding: FindingOpt = None,
    all_open: AllOpt = False,
    decision: DecisionOpt = None,
    reason: ReasonOpt = None,
    reviewer: ReviewerOpt = None,
    interactive: InteractiveOpt = None,
    labels: LabelsOpt = None,
    rules: RulesOpt = None,
    config_file: ConfigOpt = None,
) -> None:
    """Walk open findings and record decisions (false-positive, accepted-risk, must-fix)."""
    from dataclass_scan.classify.baseline import Decision, load_baseline, new_baseline

    try:
        chosen = Decision(decision) if decision is not None else None
    except ValueError:
        raise _fail(f"--decision must be one of {', '.join(d.value for d in Decision)}") \
            from None
    try:
        if baseline.exists():
            bl = load_baseline(baseline)
        elif paths:
            bl = dataclasses.replace(new_baseline(), path=str(baseline))
        else:
            raise _fail(f"{baseline}: baseline not found; create one with `dataclass-scan "
                        "baseline create PATH...` or give PATH... to review a fresh scan")
        details, fresh = _scan(paths, labels, rules, config_file, bl) if paths else ({}, [])
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    open_entries = [e for e in bl.entries if e.decision is None] + fresh
    who = reviewer or _login()

    if chosen is not None or finding or all_open:
        if chosen is None or not (finding or all_open):
            raise _fail("scripts give --decision with --finding ID or --all")
        if not reason:
            raise _fail("--reason is required: say why, for whoever reads the audit log")
        targets = open_entries if all_open else _select(finding or [], [*bl.entries, *fresh])
        decided = [_decide(e, chosen, who, reason) for e in targets]
        _save(bl, decided, baseline, audit_log)
        for e in decided:
            typer.echo(f"{e.id}  {e.decision.value if e.decision else ''}  {e.type}  {e.path}")
        raise typer.Exit(EXIT_OK)

    use_prompts = interactive if interactive is not None else sys.stdin.isatty()
    if not use_prompts:
        _list(open_entries, details)
        raise typer.Exit(EXIT_OK)
    _interactive(bl, open_entries, details, who, baseline, audit_log)


def _login() -> str:
    from dataclass_scan.store.audit import _user

    return _user()


def _scan(paths: list[str], labels: Path | None, rules: list[Path] | None,
          config_file: Path | None, bl: Any) -> tuple[dict[Any, Any], list[Any]]:
    """Scan PATH...: masked details for every finding (by entry key), and the entries the
    baseline does not hold yet."""
    from dataclass_scan.api import scan as run_scan
    from dataclass_scan.classify.baseline import entry_for
    from dataclass_scan.config import load_config

    config = load_config(config_file)
    # Every finding, listed: new ones beyond --max-findings would have no value hash.
    config = config.merged(labels_file=labels, max_findings=0,
                           rules=tuple(config.rules) + tuple(rules) if rules else None)
    result = run_scan(paths, config)
    index = bl.index()
    details: dict[Any, Any] = {}
    fresh = []
    for f in result.files:
        for x in f.findings:
            e = entry_for(f, x, bl.base)
            details.setdefault(e.key, (f"{f.path}{x.location.render()}", x.excerpt,
                                       x.confidence.value))
            if e.key not in index and e not in fresh:
                fresh.append(e)
    return details, fresh


def _select(ids: list[str], entries: list[Any]) -> list[Any]:
    out = []
    for raw in ids:
        want = raw.strip().lower().rpartition(":")[2]
        if len(want) < MIN_ID:
            raise _fail(f"--finding {raw!r}: give at least {MIN_ID} hex digits")
        hits = [e for e in entries if e.value_hash.rpartition(":")[2].startswith(want)]
        if not hits:
            raise _fail(f"--finding {raw!r}: no such finding in the baseline or the scan")
        out.extend(h for h in hits if h not in out)
    return out


def _decide(entry: Any, decision: Any, reviewer: str, reason: str) -> Any:
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return dataclasses.replace(entry, decision=decision, reviewer=reviewer,
                               reason=" ".join(reason.split()), decided=now)


def _save(bl: Any, decided: list[Any], path: Path, audit_log: Path | None) -> Any:
    if not decided:
        return bl
    updated = bl.with_entries(decided)
    try:
        updated.save(path)
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror}") from None
    for e in decided:
        record(audit_log, "review", {
            "baseline": str(path), "id": e.id, "path": e.path, "rule": e.rule, "type": e.type,
            "value_hash": e.value_hash, "decision": e.decision.value if e.decision else None,
            "reviewer": e.reviewer, "reason": e.reason, "decided": e.decided})
    return updated


def _list(entries: list[Any], details: dict[Any, Any]) -> None:
    if not entries:
        typer.echo("no open findings")
        return
    typer.echo(f"{len(entries)} open findings (decide with --finding ID --decision ... "
               "--reason ...):")
    for e in entries:
        where = details.get(e.key, (e.path, "", ""))[0]
        typer.echo(f"  {e.id}  {e.type:<16} {e.rule:<24} {where}")


CHOICES = {"f": "false-positive", "a": "accepted-risk", "m": "must-fix", "s": "skip",
           "q": "quit"}


def _interactive(bl: Any, entries: list[Any], details: dict[Any, Any], who: str,
                 path: Path, audit_log: Path | None) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.prompt import Prompt

    from dataclass_scan.classify.baseline import Decision

    console = Console(highlight=False)
    if not entries:
        console.print("no open findings")
        raise typer.Exit(EXIT_OK)
    console.print(f"{len(entries)} open findings; reviewer [bold]{who}[/bold]; decisions "
                  f"are saved to {path} as you go.", markup=True)
    done = 0
    for n, e in enumerate(entries, start=1):
        where, excerpt, conf = details.get(e.key, (e.path, "", ""))
        body = f"where: {where}\ntype:  {e.type} ({conf or 'as recorded'})\nrule:  {e.rule}"
        if excerpt:
            body += f"\nseen:  {' '.join(excerpt.split())}"
        console.print(Panel(body, title=f"{n}/{len(entries)}  id {e.id}", expand=False),
                      markup=False)
        key = Prompt.ask(r"\[f]alse positive, \[a]ccepted risk, \[m]ust fix, \[s]kip, "
                         r"\[q]uit",
                         choices=list(CHOICES), default="s", console=console)
        if key == "q":
            break
        if key == "s":
            continue
        why = ""
        while not why.strip():
            why = Prompt.ask("reason", console=console)
        bl = _save(bl, [_decide(e, Decision(CHOICES[key]), who, why)], path, audit_log)
        done += 1
    console.print(f"{done} decisions recorded in {path}")
    raise typer.Exit(EXIT_OK)


