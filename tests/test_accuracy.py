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
    import functools

    from dataclass_scan import api
    from dataclass_scan.detect.engine import Engine

    truth = build(tmp_path, n=40, seed=13)

    def findings(result):
        return {f.path: sorted((x.rule, x.start, x.end, x.confidence.value, x.value_hash,
                                str(x.location)) for x in f.findings)
                for f in result.files}

    serial = scan([str(tmp_path)], Config(jobs=1, cache=False))
    pool = scan([str(tmp_path)], Config(jobs=2, cache=False))
    monkeypatch.setattr(api, "Engine", functools.partial(Engine, prefilter=False))
    whole = scan([str(tmp_path)], Config(jobs=1, cache=False))
    assert sum(len(v) for v in findings(serial).values()) > 80
    assert findings(serial) == findings(pool) == findings(whole)
    scores = [score(tmp_path, truth, r) for r in (serial, pool, whole)]
    assert scores[0].by_type == scores[1].by_type == scores[2].by_type
