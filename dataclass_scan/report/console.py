"""Terminal summary with rich: verdict, counts by label and verdict, top findings with
`path:location`, and every file that could not be scanned."""

from __future__ import annotations

from collections import Counter

from dataclass_scan.model import Confidence, FileResult, ScanResult, Status, Verdict
from dataclass_scan.report import Reporter
from dataclass_scan.report.serialize import summary_dict
from dataclass_scan.report.tabular import more_findings

VERDICT_STYLE = {"allow": "bold green", "review": "bold yellow", "block": "bold red"}
LABEL_STYLE = {"Public": "green", "Internal": "cyan", "Confidential": "yellow",
               "Restricted": "red"}


def finding_location(result: FileResult, rendered: str) -> str:
    return f"{result.path}{rendered}"


# What rich's Text drops from what it prints (bell, backspace, vertical tab, form feed,
# carriage return): the plain path below drops the same.
_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))


class ConsoleReporter(Reporter):
    def end(self, scan: ScanResult) -> None:
        if self.options.quiet and self.options.color is not True and not _is_terminal(self.out):
            # The few lines of -q into a pipe or a log (a pre-commit hook, CI): no rich,
            # whose import is a tenth of a small file's scan.
            self.out.write("".join(line.translate(_CONTROL) + "\n"
                                   for line in _quiet_lines(scan, limit=20)))
            return
        from rich.console import Console
        from rich.text import Text

        console = Console(file=self.out, no_color=self.options.color is False,
                          highlight=False, soft_wrap=False)
        if not console.is_terminal:
            console.width = max(console.width, 160)  # logs and pipes: do not fold paths
        verdict = scan.verdict
        dest = scan.meta.destination
        headline = Text("Verdict for ")
        headline.append(str(dest), style="bold")
        headline.append(": ")
        headline.append(verdict.value.upper(), style=VERDICT_STYLE[verdict.value])
        console.print(headline)
        if scan.suppressed:
            console.print(f"{scan.suppressed} known findings suppressed by the baseline")
        if self.options.quiet:
            self._problems(console, scan, limit=20)
            return

        from rich.table import Table

        summary = summary_dict(scan)
        counts = Table(title="Files", show_header=True, header_style="bold")
        counts.add_column("files", justify="right")
        counts.add_column("scanned", justify="right")
        counts.add_column("skipped", justify="right")
        counts.add_column("not scanned", justify="right")
        counts.add_column("findings", justify="right")
        counts.add_row(*(str(summary[k]) for k in
                         ("files", "scanned", "skipped", "errors", "findings")))
        console.print(counts)

        labels = Table(title="Labels and verdicts", header_style="bold")
        labels.add_column("label")
        labels.add_column("files", justify="right")
        labels.add_column("allow", justify="right")
        labels.add_column("review", justify="right")
        labels.add_column("block", justify="right")
        per: dict[str, Counter[str]] = {}
        for f in scan.files:
            if f.label is not None and f.verdict is not None:
                per.setdefault(f.label, Counter())[f.verdict.value] += 1
        for label, c in sorted(per.items(), key=lambda kv: -sum(kv[1].values())):
            labels.add_row(Text(label, style=LABEL_STYLE.get(label, "")), str(sum(c.values())),
                           str(c["allow"]), str(c["review"]), str(c["block"]))
        console.print(labels)

        flagged = [f for f in scan.files if f.verdict in (Verdict.BLOCK, Verdict.REVIEW)]
        if flagged:
            files = Table(title="Files to act on", header_style="bold")
            files.add_column("verdict")
            files.add_column("label")
            files.add_column("file", overflow="fold")
            files.add_column("why", overflow="fold")
            flagged.sort(key=lambda f: (-(f.verdict.rank if f.verdict else 0), f.path))
            for f in flagged[: self.options.top * 2]:
                v = f.verdict.value if f.verdict else ""
                files.add_row(Text(v, style=VERDICT_STYLE.get(v, "")),
                              Text(f.label or "", style=LABEL_STYLE.get(f.label or "", "")),
                              f.path, "; ".join(f.reasons))
            console.print(files)

        from dataclass_scan.detect.columns import ColumnSummary, describe, summarize_findings

        # A table column that is mostly one entity type is one row with a count.
        top = sorted(
            ((f, x) for f in scan.files for x in summarize_findings(f.findings)),
            key=lambda fx: (-fx[1].confidence.rank, fx[1].type, fx[0].path),
        )
        total = sum(f.finding_count for f in scan.files)
        if top:
            table = Table(title=f"Top findings ({total} in all)", header_style="bold")
            table.add_column("where", overflow="fold")
            table.add_column("type")
            table.add_column("confidence")
            table.add_column("excerpt", overflow="fold")
            for f, x in top[: self.options.top]:
                if isinstance(x, ColumnSummary):
                    where = f"{f.path}: {describe(x)}"
                    etype = f"{x.type} x{x.count}"
                else:
                    where, etype = finding_location(f, x.location.render()), x.type
                table.add_row(where, etype,
                              Text(x.confidence.value,
                                   style="bold" if x.confidence is Confidence.HIGH else ""),
                              x.excerpt)
            console.print(table)
        capped = [f for f in scan.files if f.omitted]
        for f in capped[:10]:  # --max-findings: these lists are not complete
            console.print(f"{f.path}: {more_findings(f)}", highlight=False, markup=False)
        if len(capped) > 10:
            console.print(f"... and {len(capped) - 10} more files with findings not listed")
        self._problems(console, scan, limit=50)

    @staticmethod
    def _problems(console: object, scan: ScanResult, limit: int) -> None:
        from rich.console import Console
        from rich.text import Text

        assert isinstance(console, Console)
        for bold, rest in _problem_lines(scan, limit):
            line = Text(bold, style="bold")
            line.append(rest)
            console.print(line)


def _is_terminal(out: object) -> bool:
    """Whether rich would write to `out` as to a terminal (styles, its width)."""
    import os

    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _quiet_lines(scan: ScanResult, limit: int) -> list[str]:
    """What -q prints, as plain text."""
    lines = [f"Verdict for {scan.meta.destination}: {scan.verdict.value.upper()}"]
    if scan.suppressed:
        lines.append(f"{scan.suppressed} known findings suppressed by the baseline")
    return lines + [bold + rest for bold, rest in _problem_lines(scan, limit)]


def _problem_lines(scan: ScanResult, limit: int) -> list[tuple[str, str]]:
    """(bold part, rest) of the lines about files not fully scanned (`limit` at most)
    and the commonest reasons files were skipped."""
    problems = [f for f in scan.files if f.status not in (Status.SCANNED, Status.SKIPPED)]
    lines = [(f.status.value, f": {f.path}: {'; '.join(f.errors) or f.status.value}")
             for f in problems[:limit]]
    if len(problems) > limit:
        lines.append(("", f"... and {len(problems) - limit} more files not fully scanned"))
    skipped = Counter(r for f in scan.files if f.status is Status.SKIPPED
                      for r in f.reasons[:1])
    lines += [("", f"skipped {n} file(s): {reason}") for reason, n in skipped.most_common(5)]
    return lines
