"""A self-contained HTML report for people who are not engineers.

One file, no network: CSS, JavaScript and the charts (inline SVG) are inside it, and a
Content-Security-Policy forbids loading anything else. It answers "can this go to the AI
tool?" first, then shows the label distribution, the top entity types and the riskiest
folders and files as charts, a sortable, filterable table of findings with masked
excerpts, and the files that could not be read. Raw values only when forced.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections import Counter
from collections.abc import Sequence
from html import escape
from importlib import resources

from dataclass_scan import __version__
from dataclass_scan.model import Confidence, FileResult, ScanResult, Status, Verdict
from dataclass_scan.report import Reporter
from dataclass_scan.report.serialize import summary_dict
from dataclass_scan.report.tabular import clean, more_findings, verdict_rank

MAX_ROWS = 5000
TOP = 10
LABEL_COLORS = {"Public": "#2e7d32", "Internal": "#1565c0", "Confidential": "#b26a00",
                "Restricted": "#c62828"}
PALETTE = ("#6a1b9a", "#00838f", "#5d4037", "#ad1457", "#455a64", "#827717")
VERDICT_COLORS = {"block": "#c62828", "review": "#b26a00", "allow": "#2e7d32", "": "#7b8794"}
_CONF_WEIGHT = {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1}


def _template(name: str) -> str:
    return resources.files("dataclass_scan.report").joinpath("templates", name).read_text(
        encoding="utf-8")


def e(text: object) -> str:
    return escape(clean(str(text)), quote=True)


def bar_chart(caption: str, rows: Sequence[tuple[str, int, str, str]], note: str = "",
              width: int = 540, legend: str = "") -> str:
    """Horizontal bars as inline SVG: rows of (name, value, colour, tooltip)."""
    if not rows:
        return (f'<figure><figcaption>{e(caption)}</figcaption><p>Nothing to show.</p>'
                '</figure>')
    row_h, label_w, pad = 26, 200, 48
    bar_w = width - label_w - pad
    top = max(v for _, v, _, _ in rows) or 1
    height = row_h * len(rows) + 4
    parts = [f'<svg class="chart" role="img" aria-label="{e(caption)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (name, value, color, tip) in enumerate(rows):
        y = i * row_h + 2
        short = name if len(name) <= 30 else "\N{HORIZONTAL ELLIPSIS}" + name[-29:]
        w = max(2, round(bar_w * value / top))
        parts.append(
            f'<g><title>{e(tip or name)}</title>'
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{e(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" rx="3" '
            f'fill="{color}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 17}">{value}</text></g>')
    parts.append("</svg>")
    body = "".join(parts)
    extra = f"<p>{e(note)}</p>" if note else ""
    return f"<figure><figcaption>{e(caption)}</figcaption>{body}{extra}{legend}</figure>"


def label_color(label: str, order: list[str]) -> str:
    if label in LABEL_COLORS:
        return LABEL_COLORS[label]
    return PALETTE[order.index(label) % len(PALETTE)] if label in order else "#7b8794"


def folder_of(path: str) -> str:
    outer = path.partition("!")[0].replace("\\", "/")
    return posixpath.dirname(outer) or "."


def risk(f: FileResult) -> tuple[int, int]:
    return verdict_rank(f), (sum(_CONF_WEIGHT[x.confidence] for x in f.findings)
                             + sum(_CONF_WEIGHT[c.confidence] * c.count for c in f.omitted))


def headline(scan: ScanResult) -> tuple[str, str]:
    dest = scan.meta.destination or "the AI tool"
    counts = Counter(f.verdict for f in scan.files if f.verdict)
    verdict = scan.verdict
    if verdict is Verdict.BLOCK:
        n = counts[Verdict.BLOCK]
        return (f"No: {n} file{'s' if n != 1 else ''} must not be sent to {dest}",
                "They hold data this destination may not receive. Remove those files, or "
                "the sensitive values in them, and scan again.")
    if verdict is Verdict.REVIEW:
        n = counts[Verdict.REVIEW]
        return (f"Not yet: {n} file{'s' if n != 1 else ''} need a person to check them "
                f"before they go to {dest}",
                "Nothing is forbidden outright, but some files hold personal or internal "
                "data that someone responsible should look at first.")
    return (f"Yes: nothing found above what {dest} may receive",
            "No file holds data this destination is not allowed to see.")


class HtmlReporter(Reporter):
    shared = True

    def end(self, scan: ScanResult) -> None:
        self.out.write(self.render(scan))

    def render(self, scan: ScanResult) -> str:
        s = summary_dict(scan)
        script = _template("report.js")
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")
        title, sub = headline(scan)
        dest = scan.meta.destination or "default"
        incomplete = [f for f in scan.files if f.status not in (Status.SCANNED, Status.SKIPPED)]
        head = (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>dataclass-scan report: {e(dest)}</title>"
            f"<style>{_template('report.css')}</style></head><body><main>")
        out = [head,
               f"<h1>Sensitive data report for {e(dest)}</h1>",
               f'<p class="lede">Scanned {", ".join(e(r) for r in scan.meta.roots)}'
               f"{' on ' + e(scan.meta.finished[:10]) if scan.meta.finished else ''}."
               + (f" {scan.suppressed} known finding(s) were suppressed by the baseline."
                  if scan.suppressed else "") + "</p>",
               f'<div class="banner {scan.verdict.value}" id="verdict"><strong>{e(title)}'
               f"</strong>{e(sub)}"]
        if incomplete:
            out.append(f" {len(incomplete)} file{'s' if len(incomplete) != 1 else ''} could "
                       "not be read completely, so not everything was checked.")
        out.append("</div>")
        out.append(self._cards(s))
        out.append('<h2>Where the sensitive data is</h2><div class="charts">')
        out.extend(self._charts(scan, s))
        out.append("</div>")
        out.append(self._explain(scan))
        out.append(self._table(scan))
        out.append(self._problems(incomplete))
        out.append(f"<footer>Made by dataclass-scan {e(__version__)} with rule packs "
                   f"{e(', '.join(scan.meta.packs))} (version {e(scan.meta.rules_version)})."
                   " Sensitive values are masked: only their last characters are shown."
                   "</footer>")
        out.append(f"</main><script>{script}</script></body></html>\n")
        return "".join(out)

    @staticmethod
    def _cards(s: dict[str, object]) -> str:
        by_verdict = s["by_verdict"]
        assert isinstance(by_verdict, dict)
        cards = [("files looked at", s["files"]), ("must not be sent", by_verdict.get("block", 0)),
                 ("need review", by_verdict.get("review", 0)),
                 ("fine to send", by_verdict.get("allow", 0)),
                 ("could not be read", s["errors"]), ("sensitive values found", s["findings"])]
        return '<div class="cards">' + "".join(
            f'<div class="card"><b>{e(v)}</b><span>{e(k)}</span></div>' for k, v in cards
        ) + "</div>"

    def _charts(self, scan: ScanResult, s: dict[str, object]) -> list[str]:
        by_label = s["by_label"]
        assert isinstance(by_label, dict)
        order = sorted(by_label)
        labels = [(lbl, n, label_color(lbl, order), f"{n} file(s) labelled {lbl}")
                  for lbl, n in sorted(by_label.items(), key=lambda kv: (-kv[1], kv[0]))]
        types: Counter[str] = Counter()
        for f in scan.files:
            types.update(f.type_counts())
        files_per_type = Counter(t for f in scan.files for t in f.type_counts())
        type_rows = [(t, n, "#37474f", f"{t}: {n} finding(s) in {files_per_type[t]} file(s)")
                     for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]
        folders: dict[str, list[FileResult]] = {}
        for f in scan.files:
            if f.findings:
                folders.setdefault(folder_of(f.path), []).append(f)

        def folder_key(item: tuple[str, list[FileResult]]) -> tuple[int, int, int, str]:
            fs = item[1]
            return (-max(verdict_rank(f) for f in fs),
                    -sum(f.verdict is Verdict.BLOCK for f in fs),
                    -sum(f.finding_count for f in fs), item[0])

        folder_rows = []
        for name, fs in sorted(folders.items(), key=folder_key)[:TOP]:
            worst = max(fs, key=verdict_rank)
            v = worst.verdict.value if worst.verdict else ""
            n = sum(f.finding_count for f in fs)
            folder_rows.append((name, n, VERDICT_COLORS[v],
                                f"{name}: {n} finding(s) in {len(fs)} file(s), worst: {v}"))
        risky = sorted((f for f in scan.files if f.findings),
                       key=lambda f: (-risk(f)[0], -risk(f)[1], f.path))[:TOP]
        file_rows = [(f.path.replace("\\", "/").rsplit("/", 1)[-1], f.finding_count,
                      VERDICT_COLORS[f.verdict.value if f.verdict else ""],
                      f"{f.path}: {f.finding_count} finding(s), {f.label}, "
                      f"{f.verdict.value if f.verdict else 'no verdict'}") for f in risky]
        legend = ('<p class="legend">' + "".join(
            f'<span><i style="background:{c}"></i>{e(k)}</span>'
            for k, c in (("must not be sent", VERDICT_COLORS["block"]),
                         ("needs review", VERDICT_COLORS["review"]),
                         ("fine to send", VERDICT_COLORS["allow"]))) + "</p>")
        return [
            bar_chart("Files by sensitivity label", labels,
                      "Public < Internal < Confidential < Restricted."),
            bar_chart("Most common kinds of sensitive data", type_rows,
                      "Number of values found, by kind."),
            bar_chart("Riskiest folders", folder_rows,
                      "Values found per folder, coloured by the worst verdict in it.",
                      legend=legend),
            bar_chart("Riskiest files", file_rows,
                      "Values found per file, coloured by the file's verdict.", legend=legend),
        ]

    @staticmethod
    def _explain(scan: ScanResult) -> str:
        dest = e(scan.meta.destination or "the destination")
        return (
            '<h2>How to read this</h2><div class="explain"><p>Every file gets a '
            "<b>label</b> from what was found in it: <b>Public</b> (nothing sensitive), "
            "<b>Internal</b> (e.g. work e-mail addresses), <b>Confidential</b> (many "
            "personal details) or <b>Restricted</b> (identity numbers, card or bank numbers,"
            f" passwords and keys). The label decides whether the file may go to {dest}: "
            "<span class=\"pill block\">block</span> must not be sent, "
            "<span class=\"pill review\">review</span> needs a person to check it first, "
            "<span class=\"pill allow\">allow</span> is fine. Values in this report are "
            "masked, so it can be passed on.</p></div>")

    def _table(self, scan: ScanResult) -> str:
        from dataclass_scan.detect.columns import ColumnSummary, describe, summarize_findings

        files = sorted(scan.files, key=lambda f: (-verdict_rank(f), f.path))
        # A table column mostly of one entity type is one row with a count.
        pairs = [(f, x) for f in files for x in summarize_findings(f.findings)]
        total = sum(f.finding_count for f in files)
        if not pairs:
            return "<h2>Findings</h2><p>No sensitive values were found.</p>"
        types = sorted({x.type for _, x in pairs})
        out = [f"<h2>Findings ({total})</h2>",
               '<div class="controls"><input id="q" type="search" '
               'placeholder="Filter: file, kind, excerpt" aria-label="Filter findings">'
               '<select id="f-verdict" aria-label="Verdict"><option value="">all verdicts'
               '</option><option value="block">block</option><option value="review">review'
               '</option><option value="allow">allow</option></select>'
               '<select id="f-type" aria-label="Kind"><option value="">all kinds</option>'
               + "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in types)
               + '</select><span id="count"></span></div>']
        if len(pairs) > MAX_ROWS:
            out.append(f"<p>Showing the first {MAX_ROWS} of {len(pairs)} rows, worst "
                       "files first; the JSON or CSV report has every finding listed.</p>")
        capped = [f for f in files if f.omitted]
        if capped:  # --max-findings: these files list only their first findings
            out.append('<ul class="problems">' + "".join(
                f"<li><b>{e(f.path)}</b>: {e(more_findings(f))}</li>" for f in capped[:200])
                + "</ul>")
        out.append('<table id="findings"><thead><tr>' + "".join(
            f'<th scope="col"><button type="button">{h}</button></th>'
            for h in ("Verdict", "Label", "File", "Where in the file", "Kind", "Confidence",
                      "Excerpt (masked)")) + "</tr></thead><tbody>")
        for f, x in pairs[:MAX_ROWS]:
            v = f.verdict.value if f.verdict else ""
            if isinstance(x, ColumnSummary):
                where = "whole column: " + describe(x).split(" in ", 1)[-1]
                kind = f"{x.type} ×{x.count}"
            else:
                where = x.location.render().lstrip(":!").replace(":", ", ") or "whole file"
                kind = x.type
            out.append(
                f'<tr data-verdict="{v}" data-type="{e(x.type)}">'
                f'<td data-sort="{verdict_rank(f)}"><span class="pill {v or "none"}">'
                f"{v or 'none'}</span></td><td>{e(f.label or '')}</td>"
                f'<td class="path">{e(f.path)}</td><td>{e(where)}</td><td>{e(kind)}</td>'
                f'<td data-sort="{x.confidence.rank}">{x.confidence.value}</td>'
                f"<td><code>{e(x.excerpt)}</code></td></tr>")
        out.append("</tbody></table>")
        return "".join(out)

    @staticmethod
    def _problems(incomplete: list[FileResult]) -> str:
        if not incomplete:
            return ""
        items = "".join(f"<li><b>{e(f.path)}</b>: {e(f.status.value)}: "
                        f"{e('; '.join(f.errors) or f.status.value)}</li>"
                        for f in incomplete[:200])
        more = f"<li>and {len(incomplete) - 200} more</li>" if len(incomplete) > 200 else ""
        return (f"<h2>Files that could not be read completely ({len(incomplete)})</h2>"
                f'<ul class="problems">{items}{more}</ul>')
