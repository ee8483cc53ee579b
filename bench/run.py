"""Speed benchmark: generates its own corpora, runs dataclass-scan and baselines in the
same invocation, and prints one table against the targets of docs/performance.md.

    python bench/run.py                 # default sizes (a few minutes on 2 cores)
    python bench/run.py --quick         # smaller corpora, for a smoke run
    python bench/run.py --big-mb 1024   # add the peak-RSS run on a 1 GB text file

Corpora go to a temporary folder (or --workdir) and are removed afterwards. Whole
processes are timed (`dataclass-scan` as a user runs it), so start-up is included.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.corpus import prose  # noqa: E402

# Simple equivalents of seven built-in PII patterns, for ripgrep as the reference.
RG_PATTERNS = [
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+",
    r"\b\d{3}-\d{2}-\d{4}\b",
    r"\b(?:\d{4}[ -]?){3}\d{4}\b",
    r"\+\d{1,3}[ .-]?\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4}",
    r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}\b",
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
    r"\bAKIA[A-Z2-7]{16}\b",
]


def _cli() -> list[str]:
    exe = shutil.which("dataclass-scan")
    return [exe] if exe else [sys.executable, "-m", "dataclass_scan"]


def _byte_compile() -> None:
    """Write the package's bytecode before timing anything. An installed copy has it (pip
    compiles on install; an editable one writes it on first run), but with
    PYTHONDONTWRITEBYTECODE set, as in some sandboxes and CI images, every timed process
    would compile the whole package from source again: about 0.1-0.3 s of start-up that
    no user pays."""
    subprocess.run([sys.executable, "-c", "import compileall, os, dataclass_scan; "
                    "compileall.compile_dir(os.path.dirname(dataclass_scan.__file__), "
                    "quiet=1)"], check=True)


CPU: dict[str, float] = {"last": 0.0}


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and exit code of one whole process; its CPU seconds (user + system,
    its children included) go to CPU["last"]: on a busy machine they say more."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1, 3):
        sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, proc.returncode


def peak_rss_of(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and the largest resident set of any process of the run (KB), by
    polling /proc (ru_maxrss of children is a maximum over all earlier children too)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    return time.perf_counter() - start, peak


def _tree_rss(pid: int) -> int:
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]))  # largest single process
        except OSError:
            continue
    return total


def best_of(n: int, cmd: list[str], env: dict[str, str] | None = None) -> float:
    return min(run(cmd, env)[0] for _ in range(n))


# -- corpora ----------------------------------------------------------------------------

def make_text(dir_: Path, files: int, mb: float, typographic: float = 0.0) -> list[Path]:
    dir_.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(files):
        p = dir_ / f"prose-{i}.txt"
        p.write_text(prose(int(mb * 1_000_000), seed=i, typographic=typographic),
                     encoding="utf-8")
        out.append(p)
    return out


def make_tree(dir_: Path, n: int) -> None:
    import random

    rng = random.Random(1)
    old = time.time() - 3600
    for i in range(n):
        sub = dir_ / f"d{i % 100:02}"
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"f{i:05}.txt"
        p.write_text(prose(rng.randrange(200, 2000), seed=i, every=700))
        os.utime(p, (old, old))  # files in a real tree were not all written a second ago


def make_pdf(path: Path, pages: int) -> None:
    from fixtures.builder import write_pdf

    text = prose(pages * 2500, seed=5, every=1500).replace("\n", " ")
    words = text.split()
    page_lines = []
    for p in range(pages):
        chunk = words[p * 380:(p + 1) * 380]
        page_lines.append([" ".join(chunk[i:i + 10]) for i in range(0, len(chunk), 10)])
    write_pdf(path, page_lines)


def make_xlsx(path: Path, rows: int, cols: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append([f"col{c}" for c in range(cols)])
    words = prose(rows * cols * 12, seed=9, every=400).split()
    k = 0
    for r in range(rows):
        row = []
        for c in range(cols):
            row.append(words[k % len(words)] if c % 3 else r * cols + c)
            k += 1
        ws.append(row)
    wb.save(path)


# -- baselines --------------------------------------------------------------------------

_PDFIUM = """
import sys, pypdfium2 as pdfium
pdf = pdfium.PdfDocument(sys.argv[1])
n = 0
for page in pdf:
    n += len(page.get_textpage().get_text_range())
print(n)
"""

_PDF_EXTRACT_ONLY = """
import sys
from dataclass_scan.extract import ExtractContext, get_extractor
from dataclass_scan.model import Item
item = Item(path=sys.argv[1], size=0, fs_path=sys.argv[1])
n = 0
for s in get_extractor("pdf")(item, ExtractContext(max_bytes=1 << 40)):
    n += len(getattr(s, "text", ""))
print(n)
"""

_OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if v is not None:
                n += len(str(v))
print(n)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small corpora (smoke run)")
    ap.add_argument("--big-mb", type=int, default=0,
                    help="also scan one text file of this many MB for peak RSS (1024 = 1 GB)")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    quick = args.quick
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="dcs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    env = {"DATACLASS_SCAN_HOME": str(home), "NO_COLOR": "1"}
    cli = _cli()
    _byte_compile()
    rows: list[tuple[str, str, str, str, str]] = []

    def row(metric: str, value: str, baseline: str, target: str, met: bool | None) -> None:
        rows.append((metric, value, baseline, target,
                     "" if met is None else ("yes" if met else "NO")))
        print(f"  {metric}: {value} ({baseline})", file=sys.stderr, flush=True)

    try:
        print(f"corpora in {work}", file=sys.stderr)
        # Text: one file in one process; many files on every core.
        one_mb = 8 if quick else 40
        [single] = make_text(work / "text1", 1, one_mb)
        per_file = 4 if quick else 10
        multi = make_text(work / "textN", cores * 2, per_file)
        scan = [*cli, "scan", "-q", "--no-cache", "--fail-on", "never"]
        # With the `fast` extra, the first large text compiles Hyperscan's database (once
        # per installation, then cached): pay that before timing, as any later scan does.
        run([*scan, "--jobs", "1", str(make_text(work / "warm", 1, 0.1)[0])], env)
        t1, _ = run([*scan, "--jobs", "1", str(single)], env)
        cpu1 = CPU["last"]
        rate1 = single.stat().st_size / 1e6 / t1
        # The same prose with non-ASCII words (curly quotes and apostrophes, dashes,
        # accented names, the euro sign), rare and common. ripgrep's fast engine gives up
        # on a Unicode word boundary next to a non-ASCII byte, so its rate depends on
        # them: pure ASCII is its best case; one such word per ~30 KB gives about the
        # 78 MB/s the issue measured on business prose; one per ~230 characters is
        # prose as a word processor writes it.
        corpora = [("ASCII prose", "textN", 0.0),
                   ("prose, a non-ASCII word per ~30 KB", "textR", 0.0002),
                   ("prose, a non-ASCII word per ~230 chars", "textU", 0.03)]
        rg = ["rg", "-c", "--no-messages", *sum((["-e", p] for p in RG_PATTERNS), [])]
        rg_note = "ripgrep not installed"
        rates = []
        for label, name, typographic in corpora:
            files = (multi if not typographic
                     else make_text(work / name, cores * 2, per_file, typographic))
            mb = sum(p.stat().st_size for p in files) / 1e6
            rate = mb / run([*scan, "--jobs", str(cores), str(work / name)], env)[0]
            rg_r = mb / best_of(3, [*rg, str(work / name)]) if shutil.which("rg") else None
            if rg_r and not typographic:
                rg_note = f"ripgrep {rg_r:.0f} MB/s on it, 7 regexes"
            rates.append((label, rate, rg_r))
        row("text, every built-in rule, 1 process",
            f"{rate1:.1f} MB/s ({single.stat().st_size / 1e6 / cpu1:.1f} per CPU-second)",
            rg_note,
            ">= 20 MB/s", rate1 >= 20)
        for label, rate, rg_r in rates:
            ratio = f", {rate / rg_r:.2f}x ripgrep" if rg_r else ""
            row(f"text, every built-in rule, {cores} processes, {label}",
                f"{rate:.1f} MB/s{ratio}",
                f"ripgrep {rg_r:.0f} MB/s, 7 regexes" if rg_r else "ripgrep not installed",
                ">= 20 MB/s and >= 0.25x ripgrep",
                rate >= 20 and (rg_r is None or rate >= 0.25 * rg_r))
        if importlib.util.find_spec("hyperscan") is not None:
            t_py, _ = run([*scan, "--jobs", "1", "--prefilter", "python", str(single)], env)
            row("text, every built-in rule, 1 process, --prefilter python",
                f"{single.stat().st_size / 1e6 / t_py:.1f} MB/s",
                f"same file with the Hyperscan prefilter: {rate1:.1f} MB/s", "", None)

        # PDF against raw pypdfium2 text extraction; a long document too, where the
        # scanner's fixed start-up (rule packs, CLI) no longer dominates: the per-page rate.
        def pdf_row(name: str, pages: int) -> tuple[Path, float]:
            path = work / name
            make_pdf(path, pages)
            t_scan = best_of(2, [*scan, "--jobs", "1", str(path)], env)
            cpu_scan = CPU["last"]
            t_base = best_of(2, [sys.executable, "-c", _PDFIUM, str(path)])
            cpu_base = CPU["last"]
            row(f"PDF, {pages} pages", f"{pages / t_scan:.0f} pages/s ({cpu_scan:.2f} CPU-s, "
                f"{t_base / t_scan:.2f}x raw)",
                f"raw pypdfium2 {pages / t_base:.0f} pages/s ({cpu_base:.2f} CPU-s)",
                ">= 0.5x raw", t_base / t_scan >= 0.5)
            return path, t_base

        pages = 60 if quick else 200
        pdf, t_raw = pdf_row("doc.pdf", pages)
        pdf_row("long.pdf", 600 if quick else 2000)
        # The extractor alone (no CLI, rule packs or detection), so the PDF stage's own
        # cost stays visible apart from the detection that follows it.
        t_xpdf = best_of(2, [sys.executable, "-c", _PDF_EXTRACT_ONLY, str(pdf)])
        row(f"PDF, {pages} pages, extraction only", f"{pages / t_xpdf:.0f} pages/s "
            f"({t_raw / t_xpdf:.2f}x raw)", f"raw pypdfium2 {pages / t_raw:.0f} pages/s", "",
            None)

        # XLSX against raw openpyxl read-only iteration.
        xrows, xcols = (5000, 10) if quick else (20000, 10)
        xlsx = work / "big.xlsx"
        make_xlsx(xlsx, xrows, xcols)
        cells = (xrows + 1) * xcols
        t_x, _ = run([*scan, "--jobs", "1", str(xlsx)], env)
        t_xraw = best_of(2, [sys.executable, "-c", _OPENPYXL, str(xlsx)])
        row(f"XLSX, {cells} cells", f"{cells / t_x:,.0f} cells/s",
            f"raw openpyxl read-only {cells / t_xraw:,.0f} cells/s", "", None)

        # 10,000 small files: cold, then warm (cached).
        n = 2000 if quick else 10000
        tree = work / "tree"
        make_tree(tree, n)
        cache = work / "cache.sqlite"
        cached_scan = [*cli, "scan", "-q", "--fail-on", "never", "--cache", str(cache)]
        t_cold, _ = run([*cached_scan, str(tree)], env)
        t_warm = best_of(3, [*cached_scan, str(tree)], env)
        cpu_warm = CPU["last"]
        row(f"{n} small files, cold", f"{n / t_cold:,.0f} files/s ({t_cold:.1f} s)", "",
            "", None)
        row(f"{n} small files, unchanged (cached)",
            f"{t_warm:.2f} s ({cpu_warm:.2f} CPU-s; {n / t_warm:,.0f} files/s)",
            "", "<= 1.5 s for 10,000", t_warm <= 1.5 * n / 10000)

        # Start-up.
        helps = []
        for _ in range(7):
            helps.append((run([*cli, "--help"], env)[0], CPU["last"]))
        t_help, cpu_help = sorted(helps)[len(helps) // 2]
        row("dataclass-scan --help", f"{t_help:.3f} s ({cpu_help:.3f} CPU-s)", "", "<= 0.3 s",
            t_help <= 0.3)
        small = work / "small.txt"
        small.write_text("Contact jane.doe@acme-corp.com, SSN 536-22-8145\n")
        smalls = []
        for _ in range(5):
            smalls.append((run([*scan, str(small)], env)[0], CPU["last"]))
        t_small, cpu_small = sorted(smalls)[len(smalls) // 2]
        row("scan of one small file", f"{t_small:.3f} s ({cpu_small:.3f} CPU-s)", "",
            "<= 0.6 s", t_small <= 0.6)

        # Peak RSS.
        t_one, rss_one = peak_rss_of([*scan, "--jobs", "1", str(single)], env)
        row(f"peak RSS, {one_mb} MB text file", f"{rss_one / 1024:.0f} MB", "", "", None)
        if args.big_mb:
            big = work / "big.txt"
            with big.open("w", encoding="utf-8") as fh:
                block = prose(10_000_000, seed=11)
                for _ in range(max(1, args.big_mb // 10)):
                    fh.write(block)
            size_mb = big.stat().st_size / 1e6
            t_big, rss_big = peak_rss_of(
                [*scan, "--jobs", "1", "--max-file-size", "100GB", "--timeout", "0", str(big)],
                env)
            row(f"peak RSS, {size_mb:.0f} MB text file", f"{rss_big / 1024:.0f} MB",
                f"{size_mb / t_big:.1f} MB/s", "<= 300 MB on 1 GB", rss_big / 1024 <= 300)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\ndataclass-scan speed, {cores} cores, python {sys.version.split()[0]}, "
          f"load average {load:.1f} at the end\n")
    widths = [max(len(r[i]) for r in [("metric", "measured", "baseline", "target", "met"),
                                        *rows]) for i in range(5)]
    head = ("metric", "measured", "baseline", "target", "met")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
