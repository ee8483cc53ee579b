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
