"""The HTML report: self-contained, escaped, and rendered by a real headless Chromium with
its charts, working filter and sort, and no console errors. A screenshot is saved under
artifacts/ (gitignored)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from dataclass_scan.cli import app
from tests import chromium
from tests.report_canon import canonical_scan
from tests.reportutil import render

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
runner = CliRunner()

CHECK = """<script>
(function () {
  var out = {}, svgs = document.querySelectorAll("svg.chart");
  out.charts = svgs.length;
  out.drawn = Array.prototype.filter.call(svgs, function (s) {
    var r = s.getBoundingClientRect();
    return r.width > 100 && r.height > 10 && s.querySelectorAll("rect").length > 0;
  }).length;
  var q = document.getElementById("q");
  q.value = "US_SSN"; q.dispatchEvent(new Event("input"));
  out.filtered = Array.prototype.filter.call(
    document.querySelectorAll("#findings tbody tr"), function (r) { return !r.hidden; }).length;
  out.count = document.getElementById("count").textContent;
  q.value = ""; q.dispatchEvent(new Event("input"));
  document.querySelectorAll("#findings thead th")[4].querySelector("button").click();
  out.firstKind = document.querySelector("#findings tbody tr").cells[4].textContent;
  out.ready = document.documentElement.getAttribute("data-ready");
  document.body.setAttribute("data-check", JSON.stringify(out));
}());
</script>"""


def test_html_is_self_contained_and_escaped():
    text = render(canonical_scan(), "html")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    refs = re.findall(r"https?://[\w.-]+", text)
    assert set(refs) <= {"http://www.w3.org"}, refs  # the SVG namespace only
    assert not re.search(r"<link|<img|<iframe|@import|url\(|src=", text)
    assert "<b>ok</b>" not in text and "&lt;b&gt;ok&lt;/b&gt;" in text
    assert text.count('<svg class="chart"') == 4


def test_html_refuses_show_values_unless_forced(example_dir: Path):
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "html", "--show-values"])
    assert r.exit_code == 2 and "--force-show-values" in r.output


def test_html_renders_in_headless_chromium(example_dir: Path, tmp_path: Path):
    page = tmp_path / "report.html"
    r = runner.invoke(app, ["scan", str(example_dir), "-f", "html", "-o", str(page)])
    assert r.exit_code == 1, r.output
    report = json.loads(runner.invoke(app, ["scan", str(example_dir), "-f", "json"]).stdout)
    findings = [x for f in report["files"] for x in f["findings"]]

    # 1. The report as shipped: its own script runs, no console message, no CSP violation.
    proc = chromium.run(page, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'data-ready="1"' in proc.stdout
    assert chromium.console_lines(proc.stderr) == []

    # 2. A copy with a check script (CSP removed so it may run): charts laid out with a
    # real size, the filter and the sort work.
    probe = tmp_path / "probe.html"
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                  page.read_text(encoding="utf-8"))
    probe.write_text(text.replace("</body>", CHECK + "</body>"), encoding="utf-8")
    proc = chromium.run(probe, "--dump-dom", "--window-size=1280,2000")
    assert chromium.console_lines(proc.stderr) == []
    match = re.search(r'data-check="([^"]*)"', proc.stdout)
    assert match, proc.stdout[-2000:]
    check = json.loads(html.unescape(match.group(1)))
    ssn = sum(x["type"] == "US_SSN" for x in findings)
    assert check == {"charts": 4, "drawn": 4, "filtered": ssn,
                     "count": f"{ssn} of {len(findings)} rows shown",
                     "firstKind": sorted(x["type"] for x in findings)[0], "ready": "1"}

    # 3. A screenshot as a test artefact.
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    proc = chromium.run(page, f"--screenshot={shot}", "--window-size=1280,2200")
    assert proc.returncode == 0 and shot.stat().st_size > 20_000


def test_html_summarises_a_column_of_one_type():
    import dataclasses

    from dataclass_scan.model import Confidence, Finding, Location

    scan = canonical_scan()
    column = tuple(Finding(rule="us.ssn", type="US_SSN", category="pii",
                           confidence=Confidence.HIGH, location=Location(sheet="Big", cell=f"C{i}"),
                           excerpt="***-**-8145", value_hash="hmac-sha256:" + f"{i:064x}")
                   for i in range(2, 302))
    big = dataclasses.replace(scan.files[0], findings=column)
    text = render(dataclasses.replace(scan, files=(big, *scan.files[1:])), "html")
    assert "US_SSN ×300" in text and "rows 2-301" in text
    assert text.count("Big!C") == 1  # one row for the column, not 300
