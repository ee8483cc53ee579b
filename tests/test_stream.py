"""Large text in overlapping chunks: same findings, same locations as reading it whole."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dataclass_scan.api import build_context, scan
from dataclass_scan.config import Config
from dataclass_scan.extract import ExtractContext, stream
from dataclass_scan.model import Item, Location, Segment
from fixtures.corpus import PLANTS, prose


def _key(findings):
    return [(f.rule, f.location, f.value_hash, f.confidence, f.excerpt, f.reasons)
            for f in findings]


def _chunked(ctx, path: Path, encoding="utf-8", chunk=1500, overlap=400):
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    xctx = ExtractContext(max_bytes=10**9)
    out = []
    segments = list(stream.text_chunks(item, xctx, encoding, chunk_chars=chunk,
                                       overlap=overlap))
    for seg in segments:
        res = ctx.engine.detect(seg)
        lo, hi = seg.keep
        out.extend(f for f in res.findings if lo <= f.start < hi)
    return out, segments


@pytest.fixture(scope="module")
def ctx():
    return build_context(Config())


@pytest.mark.parametrize("seed", range(5))
def test_chunks_find_exactly_what_the_whole_text_finds(ctx, tmp_path, seed):
    rng = random.Random(seed)
    text = prose(20_000, seed=seed, every=150)
    if seed % 2:  # long lines too: chunks must then cut inside a line
        text = text.replace("\n", " ")
    plants = [p.format(first="ann", last="lee", n4="8145", n2="9") for p in PLANTS]
    # Plant values right across likely chunk boundaries.
    for pos in sorted((rng.randrange(len(text)) for _ in range(30)), reverse=True):
        text = text[:pos] + " " + rng.choice(plants) + " " + text[pos:]
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    whole = ctx.engine.detect(Segment(text=text, location=Location(line=1), track_lines=True))
    got, segments = _chunked(ctx, path)
    assert len(segments) > 10
    assert _key(got) == _key(whole.findings)


def test_every_boundary_position(ctx, tmp_path):
    """One value at every offset around a chunk boundary."""
    value = "SSN: 536-22-8145 and jane.doe@acme-corp.com"
    for shift in range(0, 60, 3):
        text = "lorem ipsum " * 100
        pos = 1100 - shift  # the first chunk of 1200 characters ends near 1200 - 150
        text = text[:pos] + value + text[pos:]
        path = tmp_path / f"b{shift}.txt"
        path.write_text(text)
        whole = ctx.engine.detect(Segment(text=text, location=Location(line=1),
                                          track_lines=True))
        got, _ = _chunked(ctx, path, chunk=1200, overlap=300)
        assert _key(got) == _key(whole.findings), shift


def test_multibyte_text_split_inside_characters(ctx, tmp_path):
    text = ("Grüße aus Köln — 東京 " * 300) + " SSN: 536-22-8145 " + ("ünïcödé " * 300)
    for enc in ("utf-8", "utf-16"):
        path = tmp_path / f"m-{enc}.txt"
        path.write_bytes(text.encode(enc))
        whole = ctx.engine.detect(Segment(text=text, location=Location(line=1),
                                          track_lines=True))
        got, segments = _chunked(ctx, path, encoding=enc, chunk=2000, overlap=500)
        assert "".join(s.text[:s.keep[1]] if i + 1 < len(segments) else s.text
                       for i, s in enumerate(segments))  # decodes without error
        assert _key(got) == _key(whole.findings)


def test_large_files_stream_through_the_scan(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 10_000)
    monkeypatch.setattr(stream, "CHUNK_CHARS", 4000)
    monkeypatch.setattr(stream, "OVERLAP_CHARS", 1000)
    text = prose(60_000, seed=3, every=400)
    big = tmp_path / "big.txt"
    big.write_text(text)
    streamed = scan([str(big)], Config(jobs=1)).files[0]
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 10**9)
    whole = scan([str(big)], Config(jobs=1)).files[0]
    assert streamed.findings and _key(streamed.findings) == _key(whole.findings)
    assert (streamed.label, streamed.verdict, streamed.status) == (
        whole.label, whole.verdict, whole.status)


def test_stream_respects_max_bytes(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a" * 5000 + " SSN: 536-22-8145")
    item = Item(path=str(path), size=path.stat().st_size, fs_path=str(path))
    xctx = ExtractContext(max_bytes=3000)
    segments = list(stream.text_chunks(item, xctx, "utf-8", chunk_chars=1000, overlap=200))
    assert sum(len(s.text) for s in segments) < 5000
    assert xctx.warnings and "3000" in xctx.warnings[0]
