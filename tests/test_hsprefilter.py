"""The Hyperscan prefilter must never change results: every pattern's matches over its
regions equal its matches over the whole text, for the built-in packs (every rule's
examples), generated prose, non-ASCII text, random texts and random patterns. Skipped
when the `hyperscan` package (the `fast` extra) is not installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import regex
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.detect import hsprefilter
from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.hsprefilter import HsPrefilter, HsScan, plan
from dataclass_scan.detect.prefilter import PrefilterScan
from dataclass_scan.detect.rulepack import load_packs
from dataclass_scan.model import Location, Segment
from fixtures.corpus import PLANTS, prose
from tests.test_prefilter import FRAGMENTS, _patterns

needs_hs = pytest.mark.skipif(not hsprefilter.available(), reason="hyperscan not installed")
RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def builtin():
    """The built-in patterns, compiled, and a Hyperscan prefilter for every text size."""
    engine = Engine(load_packs(), prefilter=False)
    patterns, compiled = [], []
    for crule in engine._regex_rules:
        for i, source in enumerate(crule.rule.patterns):
            patterns.append((source, crule.rule.flags))
            compiled.append(crule.pattern(i))
    return patterns, compiled, HsPrefilter(patterns, min_text=0)


def _same_as_whole_text(builtin, text: str) -> HsScan | PrefilterScan:
    _patterns_, compiled, hp = builtin
    scan = hp.scan(text)
    for i, pattern in enumerate(compiled):
        want = [m.span() for m in pattern.finditer(text)]
        regions = scan.regions(i)
        got = want if regions is None else [
            m.span() for s, e in regions for m in pattern.finditer(text, s, e)]
        assert got == want, (pattern.pattern, regions)
    return scan


def _examples() -> list[str]:
    out = []
    for path in sorted(RULES.glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            examples = rule.get("examples") or {}
            out += list(examples.get("match") or []) + list(examples.get("no_match") or [])
    return out


@needs_hs
def test_nearly_every_builtin_pattern_runs_natively(builtin):
    _patterns_, _compiled, hp = builtin
    assert len(hp.native) >= len(builtin[0]) - 4


@needs_hs
def test_every_rule_example_alone_and_together(builtin):
    examples = _examples()
    assert len(examples) > 150
    for text in examples:
        assert isinstance(_same_as_whole_text(builtin, text), HsScan)
    for sep in (" ", "\n", "", " lorem ipsum dolor sit amet " * 40):
        _same_as_whole_text(builtin, sep.join(examples))


@needs_hs
@pytest.mark.parametrize("seed", range(3))
def test_generated_prose(builtin, seed):
    text = prose(150_000, seed=seed, every=200 + 300 * seed)
    scan = _same_as_whole_text(builtin, text)
    assert isinstance(scan, HsScan)
    assert sum(scan.regions(i) == [] for i in range(len(builtin[0]))) > 20


NON_ASCII = ["é", "ß", "ſ", "K", "İ", "ı", "٣", "०", "Ñ", "ü", "а", "€", "\u200d", "\u0301",
             "\x1c", "\x85", "\u2028", "\ud800", "😀", "？"]


@needs_hs
def test_non_ascii_text(builtin):
    base = prose(80_000, seed=5, every=250)
    for swap in (("e", "é"), ("a", "а"), ("s", "ſ"), ("k", "K"), ("i", "İ"), (" ", "\u00a0"),
                 ("0", "٣"), ("-", "\u2011"), ("@", "＠")):
        _same_as_whole_text(builtin, base.replace(*swap))
    sprinkled = "".join(ch + NON_ASCII[i % len(NON_ASCII)] if i % 7 == 0 else ch
                        for i, ch in enumerate(base[:40_000]))
    _same_as_whole_text(builtin, sprinkled)


@needs_hs
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS + NON_ASCII + ["?", "é@x.de", "Straße 5"]),
                max_size=120))
def test_random_texts(builtin, parts):
    _same_as_whole_text(builtin, "".join(parts))


@needs_hs
def test_engine_findings_identical_with_and_without_hyperscan():
    packs = load_packs()
    fast = Engine(packs, prefilter_engine="hyperscan")
    python = Engine(packs, prefilter_engine="python")
    full = Engine(packs, prefilter=False)
    plants = " ".join(p.format(first="ann", last="lee", n4="8145", n2="42") for p in PLANTS)
    texts = (prose(120_000, seed=11, every=400),
             prose(80_000, seed=12).replace("o", "ö") + plants,
             (plants + "\n") * 300)  # dense: the native scan gives up, Python takes over
    for text in texts:
        assert len(text) >= hsprefilter.MIN_TEXT
        results = []
        for engine in (fast, python, full):
            res = engine.detect(Segment(text=text, location=Location(line=1)))
            results.append([(f.rule, f.start, f.end, f.confidence, f.location, f.excerpt,
                             f.value_hash, f.reasons) for f in res.findings])
        assert results[0] == results[2] and results[1] == results[2]
        assert len(results[2]) > 25
    assert isinstance(fast._prefilter, HsPrefilter)
    assert [type(fast._prefilter.scan(t)) for t in texts] == [HsScan, HsScan, PrefilterScan]


# -- random patterns: the translation covers every match ---------------------------------

_TEXT_ALPHABET = list("ab Bx@-.0123456789\n_?") + ["AKIA", "ak", "ſ", "K", "٣", "é", "İ", "ı",
                                                   "\x1c", "\u00a0"]


def _check_regions(pattern: str, flags: int, text: str) -> None:
    try:
        compiled = regex.compile(pattern, flags)
        want = [m.span() for m in compiled.finditer(text, timeout=0.5)]
    except (regex.error, TimeoutError):
        return
    hp = HsPrefilter([(pattern, flags)], min_text=0, cache=False)
    scan = hp.scan(text)
    regions = scan.regions(0)
    if regions is None:
        return
    got = [m.span() for s, e in regions for m in compiled.finditer(text, s, e)]
    assert got == want, (pattern, regions, plan(pattern, flags))


@needs_hs
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_patterns(), st.sampled_from([0, regex.IGNORECASE, regex.DOTALL | regex.MULTILINE]),
       st.lists(st.sampled_from(_TEXT_ALPHABET), max_size=300))
def test_random_patterns_regions_equal_whole_text(pattern, flags, parts):
    _check_regions(pattern, flags, "".join(parts))


@needs_hs
def test_case_insensitive_letters_and_classes_cover_unicode_folds():
    for pattern in ("k[s]y", "(?i)k[s]y", "(?i)[a-z]{3}", "(?i)[^k]x", "(?i)I", "(?i)i",
                    "(?i)straße", r"\w\d\s", r"[^\W\d]{2}", "[é-ü]x", "(?i)[é]x", "a.b"):
        for text in ("KSY", "kſy", "Kſy", "KſY", "İ", "ı", "I", "i", "STRASSE", "straſſe",
                     "é٣\x1c", "é٣\u00a0", "ää", "ǖx", "Éx", "a\u2028b", "a\nb", "a\x85b"):
            _check_regions(pattern, 0, text)
            _check_regions(pattern, 0, f"lorem {text} ipsum {text}{text}")


def test_fold_partner_table_is_complete():
    """Every non-ASCII character `regex` matches to an ASCII character ignoring case."""
    every = "".join(chr(c) for c in range(128, sys.maxunicode + 1)
                    if not 0xD800 <= c <= 0xDFFF)
    for code in range(128):
        found = {m.group() for m in regex.finditer(regex.escape(chr(code)), every,
                                                   flags=regex.IGNORECASE)}
        assert found == set(hsprefilter.ASCII_FOLD_PARTNERS.get(chr(code), "")), chr(code)


def test_patterns_without_a_plan():
    assert plan(r"\p{Lu}{3}\d") is None  # syntax only `regex` knows
    assert plan(r"a?") is None  # can match the empty string
    assert plan(r"(?<=a+)b") is None  # unbounded look-behind
    assert plan(r"(?s)x.+") is None  # unbounded, and no character stops it
    assert plan(r"(a)?(?(1)b|c)") is None  # conditional
    email = plan(r"[\w.]+@[\w-]+(?:\.[\w-]+)+")
    assert email is not None and email.width == float("inf") and email.barrier_src
    ssn = plan(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
    assert ssn is not None and ssn.width == 11 and ssn.margin == 3



@needs_hs
def test_a_lead_without_literals_is_left_out_and_regions_stay_exact():
    # The e-mail pattern's local part gives Hyperscan nothing to anchor on: the
    # expression starts at `@`, and every match still ends where an end was reported.
    email = plan(r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[a-z]+)+")
    assert email is not None and email.expression.startswith(r"[\x40]")
    assert email.width == float("inf")  # the regions still allow for the whole pattern
    cases = [(r"[a-z]+@[a-z]+\.[a-z]{2,}", r"[\x40]"), (r"\w{3,40}=\d+", r"[\x3d]"),
             (r"(?<!x)[a-z]{1,30}:[0-9]{2}", r"[\x3a]"),
             (r"[a-z]{2,5}@x", r"(?:[\x61-\x7a]){2,5}"),  # a short lead: kept
             (r"ab[a-z]+@x", r"[\x61][\x62]"),  # a literal to anchor on: kept
             (r"[a-z]+ @x", r"(?:[\x61-\x7a]){1,}")]  # a space is no rare literal: kept
    for pattern, start in cases:
        p = plan(pattern)
        assert p is not None and p.expression.startswith(start), (pattern, p)
        for text in ("jane.doe@acme.com x@y.io a@b ab@x abc@x", "key=12 kk==3 abc=4=5",
                     "time ab:12 abc:345 q:1:22 a b @x ab @x"):
            _check_regions(pattern, 0, f"lorem {text} ipsum " * 4)
            _check_regions(pattern, regex.IGNORECASE, text)


# -- fallbacks, cache, selection -----------------------------------------------------------

@needs_hs
def test_unplanned_patterns_use_the_pure_python_prefilter():
    patterns = [(r"\p{Lu}{3}-\d{4}", 0), (r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", 0),
                (r"zz(a)?(?(1)b|c)", 0)]  # regex-only syntax; ok; conditional
    hp = HsPrefilter(patterns, min_text=0, cache=False)
    assert hp.native == {1}
    text = ("lorem ipsum " * 500) + "ABC-1234 and 536-22-8145 " + ("dolor " * 500)
    scan = hp.scan(text)
    assert isinstance(scan, HsScan)
    assert scan.regions(2) == []  # no `zz`: the pure-Python key proves it
    for i, (source, flags) in enumerate(patterns):
        compiled = regex.compile(source, flags)
        regions = scan.regions(i)
        spans = (list(compiled.finditer(text)) if regions is None
                 else [m for s, e in regions for m in compiled.finditer(text, s, e)])
        assert [m.span() for m in spans] == [m.span() for m in compiled.finditer(text)]


@needs_hs
def test_small_texts_and_too_many_hits_use_the_pure_python_prefilter(monkeypatch):
    monkeypatch.setattr(hsprefilter, "_COMPILED", {})  # nothing compiled in this process
    patterns = [(r"(?<!\d)\d{3}(?!\d)", 0)]
    hp = HsPrefilter(patterns, cache=False)
    assert isinstance(hp.scan("call 555 now"), PrefilterScan)  # below MIN_TEXT
    monkeypatch.setattr(hsprefilter, "MIN_TEXT", 10)
    short = "call 555 now, or 556"
    # Above MIN_TEXT but below COMPILE_TEXT: no compile for it, the database is not
    # at hand yet ...
    assert isinstance(hp.scan(short), PrefilterScan)
    assert hp._plans is None
    # ... until a large text compiles it; then short texts use it too, and so does
    # another prefilter of the same patterns in this process.
    large = (short + " " + "lorem " * 100) * (hsprefilter.COMPILE_TEXT // 600 + 1)
    assert isinstance(hp.scan(large), HsScan)
    assert isinstance(hp.scan(short), HsScan)
    assert isinstance(HsPrefilter(patterns, cache=False).scan(short), HsScan)
    dense = "123 " * 200_000  # one hit every 4 bytes: the native scan stops early
    assert isinstance(hp.scan(dense), PrefilterScan)


@needs_hs
def test_a_cached_database_serves_short_texts_without_a_large_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path))
    monkeypatch.setattr(hsprefilter, "_COMPILED", {})
    patterns = [(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])", 0)]
    short = "id 536-22-8145 " * 100
    assert isinstance(HsPrefilter(patterns).scan(short), PrefilterScan)
    assert not list(tmp_path.glob("hyperscan-*.db"))
    HsPrefilter(patterns).scan(short * 50)  # a large text: compiled and cached
    assert list(tmp_path.glob("hyperscan-*.db"))
    monkeypatch.setattr(hsprefilter, "_COMPILED", {})  # a new process: only the file
    assert isinstance(HsPrefilter(patterns).scan(short), HsScan)


@needs_hs
def test_compiled_database_is_cached_and_a_damaged_cache_recompiled(tmp_path, monkeypatch):
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path))
    patterns = [(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])", 0), (r"AKIA[A-Z2-7]{16}", 0)]
    text = ("lorem ipsum " * 300 + "id 536-22-8145 key AKIA2OGYBAH6STMJ5Q7X ") * 3
    HsPrefilter(patterns, min_text=0).scan(text)
    (cached,) = tmp_path.glob("hyperscan-*.db")
    assert cached.stat().st_mode & 0o777 == 0o600

    def no_compile(*_args):
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(hsprefilter, "_compile", no_compile)
    scan = HsPrefilter(patterns, min_text=0).scan(text)
    assert scan.regions(0) and scan.regions(1)
    monkeypatch.undo()
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(tmp_path))
    cached.write_bytes(b'{"plans": []}\n' + b"\0" * 64)
    scan = HsPrefilter(patterns, min_text=0).scan(text)
    assert scan.regions(0) and scan.regions(1)
    assert cached.read_bytes() != b'{"plans": []}\n' + b"\0" * 64


def test_prefilter_engine_selection(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dataclass_scan.cli import app
    from dataclass_scan.config import load_config

    packs = load_packs()
    assert type(Engine(packs, prefilter_engine="python")._prefilter).__name__ == "Prefilter"
    auto = Engine(packs)._prefilter
    assert isinstance(auto, HsPrefilter) == hsprefilter.available()
    with pytest.raises(ValueError):
        Engine(packs, prefilter_engine="fastest")
    (tmp_path / "a.txt").write_text("SSN: 536-22-8145\n")
    runner = CliRunner()
    res = runner.invoke(app, ["scan", "--jobs", "1", "--prefilter", "python", "-q",
                              "--fail-on", "never", str(tmp_path / "a.txt")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["scan", "--prefilter", "fastest", str(tmp_path / "a.txt")])
    assert res.exit_code == 2 and "--prefilter" in res.output
    conf = tmp_path / ".dataclass-scan.toml"
    conf.write_text('prefilter = "python"\n')
    assert load_config(conf).prefilter == "python"
    monkeypatch.setattr(hsprefilter, "available", lambda: False)
    conf.write_text('prefilter = "hyperscan"\n')
    with pytest.raises(Exception, match="not installed"):
        load_config(conf)


@needs_hs
def test_one_process_compiles_a_pattern_set_once(monkeypatch):
    patterns = [(r"(?<!\d)\d{4}-\d{4}(?!\d)", 0), (r"zq[0-9]{3}", regex.IGNORECASE)]
    text = "lorem ipsum " * 300 + "ZQ123 and 1234-5678"
    first = HsPrefilter(patterns, min_text=0, cache=False).scan(text)

    def no_compile(*_args):
        raise AssertionError("compiled twice")

    monkeypatch.setattr(hsprefilter, "_compile", no_compile)
    again = HsPrefilter(patterns, min_text=0, cache=False).scan(text)
    assert isinstance(again, HsScan)
    assert [again.regions(i) for i in range(2)] == [first.regions(i) for i in range(2)] != [[], []]
