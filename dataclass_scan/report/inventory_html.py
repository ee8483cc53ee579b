"""HTML view of an inventory scan: totals by label, entity type, folder, owner and file
type, and the largest exposures first. One self-contained file like the scan report
(no script at all, so its Content-Security-Policy forbids scripts outright)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from dataclass_scan import __version__
from dataclass_scan.report.html import LABEL_COLORS, _template, bar_chart, e

TOP = 50


def _table(caption: str, headers: list[str], rows: list[list[Any]], numeric_from: int = 1
           ) -> str:
    if not rows:
        return f"<h2>{e(caption)}</h2><p>Nothing recorded.</p>"
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td style="text-align:right">{e(v)}</td>' if i >= numeric_from
            else f'<td class="path">{e(v)}</td>' for i, v in enumerate(r)) + "</tr>"
        for r in rows)
    return (f"<h2>{e(caption)}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def human_size(n: int | None) -> str:
    size = float(n or 0)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def _grouped(db: sqlite3.Connection, scan_id: int, column: str) -> list[list[Any]]:
    assert column in ("folder", "owner", "file_type")
    rows = db.execute(
        f"SELECT COALESCE({column}, '(unknown)'), COUNT(*), "  # noqa: S608 - fixed names
        "SUM(COALESCE(label_rank, 0) > 0), MAX(COALESCE(label_rank, -1)), SUM(findings), "
        "SUM(CASE WHEN COALESCE(label_rank, 0) > 0 THEN size ELSE 0 END) "
        f"FROM files WHERE scan_id = ? GROUP BY 1 "
        "ORDER BY 4 DESC, 3 DESC, 5 DESC, 1 LIMIT ?", (scan_id, TOP))
    return [list(r) for r in rows]


def render_inventory(db: sqlite3.Connection, scan_id: int) -> str:
    scan = db.execute("SELECT finished, roots, destination, labels, files, findings, verdict, "
                      "rules_version FROM scans WHERE id = ?", (scan_id,)).fetchone()
    finished, roots, dest, labels_json, n_files, n_findings, verdict, rules_version = scan
    labels: list[str] = json.loads(labels_json)
    by_label = db.execute("SELECT label, COUNT(*), SUM(findings), SUM(size) FROM files "
                          "WHERE scan_id = ? AND label IS NOT NULL GROUP BY label",
                          (scan_id,)).fetchall()
    by_label.sort(key=lambda r: -(labels.index(r[0]) if r[0] in labels else 1))
    unread = db.execute("SELECT COUNT(*) FROM files WHERE scan_id = ? AND label IS NULL AND "
                        "status NOT IN ('skipped')", (scan_id,)).fetchone()[0]
    by_type = db.execute("SELECT type, SUM(count), COUNT(DISTINCT path) FROM file_types "
                         "WHERE scan_id = ? GROUP BY type ORDER BY 2 DESC, 1",
                         (scan_id,)).fetchall()
    exposures = db.execute(
        "SELECT path, label, verdict, findings, size, owner, mtime FROM files "
        "WHERE scan_id = ? AND COALESCE(label_rank, 0) > 0 "
        "ORDER BY label_rank DESC, findings DESC, size DESC, path LIMIT ?",
        (scan_id, TOP * 2)).fetchall()
    history = db.execute(
        "SELECT s.id, s.finished, s.files, "
        "(SELECT COUNT(*) FROM files f WHERE f.scan_id = s.id AND f.label_rank > 0), "
        "s.findings, s.verdict FROM scans s ORDER BY s.id DESC LIMIT 20").fetchall()
    sensitive = sum(r[1] for r in by_label if r[0] in labels and labels.index(r[0]) > 0)
    csp = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    groups = ["Group", "files", "sensitive files", "highest label", "findings",
              "sensitive bytes"]

    def fmt_group(rows: list[list[Any]]) -> list[list[Any]]:
        return [[r[0], r[1], r[2], labels[r[3]] if 0 <= r[3] < len(labels) else "-", r[4],
                 human_size(r[5])] for r in rows]

    out = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>dataclass-scan inventory</title><style>{_template('report.css')}</style>",
        "</head><body><main>",
        "<h1>Sensitive data inventory</h1>",
        f'<p class="lede">Scan {scan_id} of {e(", ".join(json.loads(roots)))}, finished '
        f"{e(finished)}, for {e(dest)}. Rule version {e(rules_version)}.</p>",
        '<div class="cards">' + "".join(
            f'<div class="card"><b>{e(v)}</b><span>{e(k)}</span></div>' for k, v in (
                ("files", n_files), ("sensitive files", sensitive),
                ("sensitive values", n_findings), ("could not be read", unread),
                ("overall verdict", verdict))) + "</div>",
        '<h2>At a glance</h2><div class="charts">',
        bar_chart("Files by label", [
            (r[0], r[1], LABEL_COLORS.get(r[0], "#6a1b9a"), f"{r[1]} file(s), {r[2]} "
             f"finding(s), {human_size(r[3])}") for r in by_label]),
        bar_chart("Sensitive values by kind", [
            (t, n, "#37474f", f"{t}: {n} in {nf} file(s)") for t, n, nf in by_type[:10]]),
        "</div>",
        _table("Totals by label", ["Label", "files", "findings", "bytes"],
               [[r[0], r[1], r[2], human_size(r[3])] for r in by_label]),
        _table("Totals by entity type", ["Type", "findings", "files"],
               [list(r) for r in by_type]),
        _table("Largest exposures (most sensitive first)",
               ["File", "label", "verdict", "findings", "size", "owner", "modified"],
               [[p, lb, v, n, human_size(s), o or "", (m or "")[:10]]
                for p, lb, v, n, s, o, m in exposures], numeric_from=3),
        _table("By folder", groups, fmt_group(_grouped(db, scan_id, "folder"))),
        _table("By owner", groups, fmt_group(_grouped(db, scan_id, "owner"))),
        _table("By file type", groups, fmt_group(_grouped(db, scan_id, "file_type"))),
        _table("Scan history", ["Scan", "finished", "files", "sensitive files", "findings",
                                "verdict"], [list(r) for r in history]),
        f"<footer>dataclass-scan {e(__version__)}. The inventory holds no sensitive values: "
        "only counts, labels and file metadata.</footer></main></body></html>\n",
    ]
    return "".join(out)
