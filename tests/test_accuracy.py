"""Smoke run of the accuracy evaluation (bench/accuracy.py has the full one)."""

from __future__ import annotations

from pathlib import Path

from dataclass_scan import scan
from dataclass_scan.config import Config
from fixtures.evalset import build, score


def test_accuracy_smoke(tmp_path: Path) -> None:
    truth = build(tmp_path, n=18, seed=5)
    s = score(tmp_path, truth, scan([str(tmp_path)], Config()))
    tp = sum(t.tp for t in s.by_type.values())
    fp = sum(t.fp for t in s.by_type.values())
    fn = sum(t.fn for t in s.by_type.values())
    assert len(truth) > 40
    assert tp / (tp + fp) >= 0.95, {k: v for k, v in s.by_type.items() if v.fp}
    assert tp / (tp + fn) >= 0.95, {k: v for k, v in s.by_type.items() if v.fn}
    assert s.negative_fp == 0
    assert s.clean_files > 0 and s.clean_public == s.clean_files


def test_accuracy_same_with_and_without_prefilter_and_workers(tmp_path: Path,
                                                              monkeypatch) -> None:
    """The issue's accuracy target: identical detection results with the prefilter on or
    off, and with 1 or N worker processes."""
    import dataclasses
    import functools

    from dataclass_scan.detect.engine import Engine

    truth = build(tmp_path, n=40, seed=13)
    # One large text too: the accelerated prefilter only takes texts of 64 K and more.
    texts = [p.read_text(errors="replace") for p in sorted(tmp_path.rglob("*"))
             if p.suffix in (".txt", ".md", ".csv", ".log")]
    big = tmp_path.parent / f"{tmp_path.name}-big"
    big.mkdir()
    (big / "all.txt").write_text("\n\n".join(texts * (1 + 200_000 // sum(map(len, texts)))))
    assert (big / "all.txt").stat().st_size > 200_000

    def findings(result):
        return {f.path: sorted((x.rule, x.start, x.end, x.confidence.value, x.value_hash,
                                str(x.location)) for x in f.findings)
                for f in result.files}

    from dataclass_scan.detect.hsprefilter import available

    paths = [str(tmp_path), str(big)]
    serial = scan(paths, Config(jobs=1, cache=False, prefilter="python"))
    pool = scan(paths, Config(jobs=2, cache=False, prefilter="python"))
    runs = [serial, pool]
    if available():
        runs.append(scan(paths, Config(jobs=2, cache=False, prefilter="hyperscan")))
    # Patched where it is defined: a scan imports it when it first builds its engine.
    monkeypatch.setattr("dataclass_scan.detect.engine.Engine",
                        functools.partial(Engine, prefilter=False))
    runs.append(scan(paths, Config(jobs=1, cache=False)))
    assert sum(len(v) for v in findings(serial).values()) > 80
    assert len(findings(serial)[str(big / "all.txt")]) > 100
    def scored(result):
        mine = [f for f in result.files if not f.path.startswith(str(big))]
        return score(tmp_path, truth, dataclasses.replace(result, files=mine)).by_type

    for other in runs[1:]:
        assert findings(other) == findings(serial)
        assert scored(other) == scored(serial)
