"""Detection accuracy on the generated evaluation set (fixtures/evalset.py): precision,
recall and F1 per entity type, false positives on hard negatives, and how often a
document with no sensitive data is labelled Public.

    python bench/accuracy.py                     # 120 documents, seed 7
    python bench/accuracy.py --docs 600 --seed 3
    python bench/accuracy.py --markdown docs/accuracy.md   # also write the table
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclass_scan import scan  # noqa: E402
from dataclass_scan.config import Config  # noqa: E402
from fixtures.evalset import Score, build, score  # noqa: E402


def run(docs: int, seed: int, workdir: Path) -> tuple[Score, int, float]:
    truth = build(workdir, n=docs, seed=seed)
    t0 = time.perf_counter()
    result = scan([str(workdir)], Config(extra={"cache": {"enabled": False}}))
    return score(workdir, truth, result), len(truth), time.perf_counter() - t0


def table(s: Score) -> list[str]:
    lines = ["| entity type | planted | found | TP | FP | FN | precision | recall | F1 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total_tp = total_fp = total_fn = 0
    for etype in sorted(s.by_type):
        t = s.by_type[etype]
        total_tp, total_fp, total_fn = total_tp + t.tp, total_fp + t.fp, total_fn + t.fn
        lines.append(f"| {etype} | {t.tp + t.fn} | {t.tp + t.fp} | {t.tp} | {t.fp} | {t.fn} | "
                     f"{t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} |")
    p = total_tp / (total_tp + total_fp) if total_tp + total_fp else 1.0
    r = total_tp / (total_tp + total_fn) if total_tp + total_fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    lines.append(f"| **all (micro)** | {total_tp + total_fn} | {total_tp + total_fp} | "
                 f"{total_tp} | {total_fp} | {total_fn} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--markdown", type=Path, help="write the results table to this file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dcs-eval-") as tmp:
        s, planted, secs = run(args.docs, args.seed, Path(tmp))
    rows = table(s)
    summary = [
        f"{args.docs} documents (seed {args.seed}), {planted} planted values, scanned in "
        f"{secs:.1f} s.",
        f"Findings in the {s.clean_files} documents holding only hard negatives: "
        f"{s.negative_fp}.",
        f"Documents with no sensitive data labelled Public: {s.clean_public}/{s.clean_files} "
        f"({100 * s.clean_public / max(1, s.clean_files):.1f}%).",
    ]
    print("\n".join(rows))
    print()
    print("\n".join(summary))
    if args.markdown:
        args.markdown.write_text(
            args.markdown.read_text(encoding="utf-8").split("<!-- results -->")[0]
            + "<!-- results -->\n\n" + "\n".join(rows) + "\n\n" + "\n\n".join(summary) + "\n",
            encoding="utf-8") if args.markdown.exists() else args.markdown.write_text(
            "\n".join(rows) + "\n\n" + "\n\n".join(summary) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
