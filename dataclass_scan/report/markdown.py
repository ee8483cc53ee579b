"""Markdown summary for a CI job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment:
the verdict, counts, labels, the files to act on with their reasons, entity types, and
files that could not be scanned. Only masked excerpts; everything user-controlled is
escaped so a file name cannot inject markup, links or @-mentions."""

from __future__ import annotations

import re
from collections import Counter

from dataclass_scan import __version__
from dataclass_scan.model import ScanResult, Status
from dataclass_scan.report import Reporter
from dataclass_scan.report.serialize import summary_dict
from dataclass_scan.report.tabular import clean, flagged

_ESCAPE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
VERDICT_MARK = {"block": "\N{OCTAGONAL SIGN} BLOCK", "review": "\N{WARNING SIGN}\ufe0f REVIEW",
                "allow": "\N{WHITE HEAVY CHECK MARK} ALLOW"}
MAX_FILES = 25


def md(text: object) -> str:
    out = _ESCAPE.sub(r"\\\1", clean(str(text)))
    return out.replace("@", "&#64;")


class MarkdownReporter(Reporter):
    def end(self, scan: ScanResult) -> None:
        s = summary_dict(scan)
        w = self.out.write
        dest = md(scan.meta.destination or "default")
        w(f"## dataclass-scan: {VERDICT_MARK[s['verdict']]} for {dest}\n\n")
        w(f"**{s['files']} files**: {s['scanned']} scanned, {s['skipped']} skipped, "
          f"{s['errors']} not scanned; {s['findings']} findings "
          f"(roots: {', '.join(md(r) for r in scan.meta.roots)})"
          + (f"; {scan.suppressed} suppressed by the baseline" if scan.suppressed else "")
          + ".\n\n")
        per: dict[str, Counter[str]] = {}
        for f in scan.files:
            if f.label:
                per.setdefault(f.label, Counter())[f.verdict.value if f.verdict else ""] += 1
        if per:
            w("| Label | Files | Allow | Review | Block |\n|---|---:|---:|---:|---:|\n")
            for label, c in sorted(per.items(), key=lambda kv: -sum(kv[1].values())):
                w(f"| {md(label)} | {sum(c.values())} | {c['allow']} | {c['review']} | "
                  f"{c['block']} |\n")
            w("\n")
        act = flagged(scan)
        if act:
            w(f"### Files to act on ({len(act)})\n\n")
            w("| Verdict | Label | File | Findings | Why |\n|---|---|---|---:|---|\n")
            for f in act[:MAX_FILES]:
                types = Counter(f.type_counts())
                kinds = ", ".join(f"{md(t)} ×{n}" for t, n in types.most_common(4))
                why = md("; ".join(f.reasons)) or kinds
                w(f"| {md(f.verdict.value if f.verdict else '')} | {md(f.label or '')} | "
                  f"{md(f.path)} | {f.finding_count} | {why} |\n")
            if len(act) > MAX_FILES:
                w(f"\n…and {len(act) - MAX_FILES} more files.\n")
            w("\n")
            first = [(f, x) for f in act[:MAX_FILES] for x in f.findings[:1]]
            if first:
                w("<details><summary>Where to look (first finding per file, masked)"
                  "</summary>\n\n")
                for f, x in first:
                    w(f"- {md(f.path + x.location.render())}: {md(x.type)} "
                      f"({x.confidence.value}): {md(x.excerpt)}\n")
                w("\n</details>\n\n")
        if s["by_type"]:
            files_per_type = Counter(t for f in scan.files for t in f.type_counts())
            w("### Entity types\n\n| Type | Findings | Files |\n|---|---:|---:|\n")
            for t, n in sorted(s["by_type"].items(), key=lambda kv: (-kv[1], kv[0])):
                w(f"| {md(t)} | {n} | {files_per_type[t]} |\n")
            w("\n")
        problems = [f for f in scan.files if f.status not in (Status.SCANNED, Status.SKIPPED)]
        if problems:
            w(f"### Not fully scanned ({len(problems)})\n\n")
            for f in problems[:MAX_FILES]:
                w(f"- {md(f.path)}: **{f.status.value}**: "
                  f"{md('; '.join(f.errors) or f.status.value)}\n")
            if len(problems) > MAX_FILES:
                w(f"- …and {len(problems) - MAX_FILES} more\n")
            w("\n")
        w(f"<sub>dataclass-scan {__version__}, rule packs "
          f"{md(', '.join(scan.meta.packs))} ({md(scan.meta.rules_version)}). Values are "
          "masked.</sub>\n")
