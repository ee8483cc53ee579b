"""--max-findings: a file lists its first findings and counts the rest (collect.py), and
its label, each rule's min_count, declared markings, the verdict and the exit code are the
same as with every finding listed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dataclass_scan.api import scan
from dataclass_scan.cli import app
from dataclass_scan.collect import FindingCollector
from dataclass_scan.config import Config, load_config
from dataclass_scan.errors import ConfigError
from dataclass_scan.extract import stream
from dataclass_scan.model import Confidence, Finding, Location
from dataclass_scan.report.serialize import report_dict, scan_from_dict
from dataclass_scan.schemas import load_schema
from fixtures.corpus import prose

runner = CliRunner()

# -- the collector against the uncapped rule (every finding, then Engine.finalize) ------

RULES = ("a", "b", "c", "m")  # "m" needs 3 findings in the file (min_count)
MIN_COUNTS = {"m": 3}


def _finding(i: int, rule: str, conf: int, value: int, part: str | None) -> Finding:
    return Finding(rule=rule, type=rule.upper(), category="marking" if rule == "c" else "pii",
                   confidence=tuple(Confidence)[conf], location=Location(line=i + 1, part=part),
                   excerpt="", value_hash=f"h{value}", start=i, end=i + 1)


def _kind(f: Finding) -> tuple[object, ...]:
    marking = f.category == "marking" and f.location.part == "header"
    return (f.rule, f.type, f.category, f.confidence, marking)


findings_st = st.lists(
    st.tuples(st.sampled_from(RULES), st.integers(0, 2), st.integers(0, 6),
              st.sampled_from([None, "header", "comment"])),
    max_size=60,
).map(lambda xs: [_finding(i, *x) for i, x in enumerate(xs)])


@given(findings=findings_st, limit=st.integers(0, 12), distinct=st.integers(1, 4),
       cuts=st.lists(st.integers(0, 60), max_size=6), allowed=st.booleans())
def test_collector_lists_the_first_findings_of_the_uncapped_result_and_counts_the_rest(
        findings: list[Finding], limit: int, distinct: int, cuts: list[int],
        allowed: bool) -> None:
    counts = Counter(f.rule for f in findings)
    kept_rules = set() if allowed else {r for r, n in counts.items()
                                        if n >= MIN_COUNTS.get(r, 1)}
    uncapped = [f for f in findings if f.rule in kept_rules]
    expected = uncapped[:limit] if limit else uncapped

    collector = FindingCollector(limit, MIN_COUNTS, distinct)
    bounds = sorted({0, len(findings), *(c for c in cuts if c <= len(findings))})
    for lo, hi in zip(bounds, bounds[1:], strict=False):  # findings arrive segment by segment
        collector.add(findings[lo:hi])
    assert collector.rule_counts == dict(counts)
    listed, omitted = collector.finish(kept_rules)

    assert listed == expected
    rest = uncapped[len(expected):]
    assert {(c.rule, c.type, c.category, c.confidence, c.header_footer): c.count
            for c in omitted} == dict(Counter(_kind(f) for f in rest))
    for c in omitted:
        values = {f.value_hash for f in rest
                  if _kind(f) == (c.rule, c.type, c.category, c.confidence, c.header_footer)}
        assert set(c.value_hashes) <= values
        assert len(set(c.value_hashes)) == len(c.value_hashes) == min(len(values), distinct)


@pytest.mark.parametrize("ms", [2, 3])
def test_collector_holds_no_more_than_the_limit_plus_what_min_count_may_still_drop(
        ms: int) -> None:
    collector = FindingCollector(10, MIN_COUNTS, 20)
    collector.add(_finding(i, "m", 2, i, None) for i in range(ms))
    collector.add(_finding(i, "a", 2, i % 7, None) for i in range(ms, 100_000))
    assert collector.total == 100_000
    # Two "m" may still be dropped (min_count 3): held besides the ten; three count.
    assert len(collector.held) == (12 if ms == 2 else 10)
    listed, omitted = collector.finish({"a", "m"} if ms == 3 else {"a"})
    first = 0 if ms == 3 else 2  # two "m" stayed below their min_count: dropped
    assert [f.start for f in listed] == list(range(first, first + 10))
    listed_a = 10 - (ms if ms == 3 else 0)
    assert [(c.rule, c.count, len(c.value_hashes)) for c in omitted] == [
        ("a", 100_000 - ms - listed_a, 7)]


# -- whole scans: outcomes identical with and without the cap --------------------------

def _outcome(result) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [(Path(f.path).name, f.status, f.label, f.declared_label, f.verdict, f.reasons,
             f.finding_count, sorted(f.type_counts().items())) for f in result.files]


def _listed(result) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    return {Path(f.path).name: [(x.rule, x.location, x.value_hash, x.excerpt)
                                for x in f.findings] for f in result.files}


def _emails(n_distinct: int, repeat: int) -> str:
    return "".join(f"write to agent{i % n_distinct}.smith@acme-corp.com today\n"
                   for i in range(n_distinct * repeat))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    # Many findings of every built-in kind the bench corpus plants (about 600).
    (root / "prose.txt").write_text(prose(120_000, seed=3, every=200), encoding="utf-8")
    # The labels file's `min_distinct: 20` (pii, Confidential): just below and at it, the
    # distinct values mostly beyond a small cap.
    (root / "nineteen.txt").write_text(_emails(19, 8), encoding="utf-8")
    (root / "twenty.txt").write_text(_emails(20, 8), encoding="utf-8")
    (root / "few.txt").write_text("mail jane.roe@acme-corp.com\n", encoding="utf-8")
    return root


def test_corpus_crosses_the_caps_it_is_scanned_with(corpus: Path) -> None:
    full = {Path(f.path).name: f for f in
            scan([corpus], Config(cache=False, jobs=1, max_findings=0)).files}
    assert full["prose.txt"].finding_count > 500
    assert full["twenty.txt"].label == "Confidential"
    assert full["nineteen.txt"].label == "Internal"
    assert all(not f.omitted for f in full.values())


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("limit", [1, 3, 25, 100_000])
def test_label_verdict_and_counts_are_the_same_with_the_cap(corpus: Path, jobs: int,
                                                            limit: int) -> None:
    full = scan([corpus], Config(cache=False, jobs=1, max_findings=0))
    capped = scan([corpus], Config(cache=False, jobs=jobs, max_findings=limit))
    assert _outcome(capped) == _outcome(full)
    assert capped.verdict is full.verdict
    everything = _listed(full)
    for name, listed in _listed(capped).items():
        assert listed == everything[name][:limit]
    for f in capped.files:
        assert len(f.findings) == min(limit, f.finding_count)
        assert f.findings_omitted == f.finding_count - len(f.findings)


@pytest.mark.parametrize("limit", [1, 25, 400])
def test_a_streamed_file_lists_the_same_findings_whose_later_chunks_are_only_counted(
        corpus: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Chunks after the list is complete are detected without excerpts (`brief`): the
    listed findings, excerpts included, and every count stay those of the uncapped scan."""
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 10_000)
    monkeypatch.setattr(stream, "CHUNK_CHARS", 8_000)
    monkeypatch.setattr(stream, "OVERLAP_CHARS", 1_000)
    full = scan([corpus / "prose.txt"], Config(cache=False, jobs=1, max_findings=0))
    capped = scan([corpus / "prose.txt"], Config(cache=False, jobs=1, max_findings=limit))
    assert _outcome(capped) == _outcome(full)
    (listed,) = _listed(capped).values()
    (everything,) = _listed(full).values()
    assert len(listed) == limit and listed == everything[:limit]
    assert all(excerpt for *_, excerpt in listed)
    (f,) = capped.files
    assert f.findings_omitted == f.finding_count - limit > 0


@pytest.mark.parametrize("prefilter", ["python", "auto"])
def test_the_listed_findings_do_not_depend_on_the_prefilter_engine(corpus: Path,
                                                                  prefilter: str) -> None:
    a = scan([corpus], Config(cache=False, jobs=1, max_findings=7, prefilter="python"))
    b = scan([corpus], Config(cache=False, jobs=2, max_findings=7, prefilter=prefilter))
    assert _listed(a) == _listed(b) and _outcome(a) == _outcome(b)


MIN_COUNT_PACK = """\
pack: t
rules:
  - id: order
    type: ORDER_NO
    category: pii
    patterns: ['\\bORD-\\d{4}\\b']
    confidence: medium
    min_count: 3
  - id: ticket
    type: TICKET
    category: custom
    patterns: ['\\bTKT-\\d{4}\\b']
    confidence: medium
"""


@pytest.mark.parametrize("orders", [2, 3])
@pytest.mark.parametrize("jobs", [1, 2])
def test_min_count_counts_every_finding_not_only_the_listed_ones(tmp_path: Path,
                                                                 orders: int,
                                                                 jobs: int) -> None:
    pack = tmp_path / "t.yml"
    pack.write_text(MIN_COUNT_PACK, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    # One order first, the rest after many tickets: far beyond a cap of 5.
    lines = ["ref ORD-1000"] + [f"ticket TKT-{i:04d}" for i in range(200)]
    lines += [f"ref ORD-{2000 + i}" for i in range(orders - 1)]
    (data / "orders.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = Config(cache=False, rules=(pack,), builtin_rules=False)
    full = scan([data], base.merged(jobs=1, max_findings=0)).files[0]
    capped = scan([data], base.merged(jobs=jobs, max_findings=5)).files[0]
    assert (capped.label, capped.verdict, capped.reasons) == (full.label, full.verdict,
                                                             full.reasons)
    assert capped.type_counts() == full.type_counts()
    assert [x.value_hash for x in capped.findings] == [x.value_hash for x in full.findings[:5]]
    assert capped.findings[0].rule == ("order" if orders == 3 else "ticket")
    assert full.label == ("Internal" if orders == 3 else "Public")


# -- the report contract, the cache, reports --------------------------------------------

def test_json_report_says_what_was_omitted_and_validates(corpus: Path) -> None:
    result = scan([corpus], Config(cache=False, jobs=1, max_findings=4))
    doc = report_dict(result)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    files = {Path(f["path"]).name: f for f in doc["files"]}
    prose_file = files["prose.txt"]
    assert len(prose_file["findings"]) == 4
    assert prose_file["findings_omitted"] == sum(c["count"] for c in prose_file["omitted"])
    assert "findings_omitted" not in files["few.txt"] and "omitted" not in files["few.txt"]
    total = sum(f.finding_count for f in result.files)
    assert doc["summary"]["findings"] == total
    assert doc["summary"]["findings_omitted"] == sum(f.findings_omitted for f in result.files)
    assert sum(doc["summary"]["by_type"].values()) == total
    back = scan_from_dict(json.loads(json.dumps(doc)))
    assert [f.findings_omitted for f in back.files] == [f.findings_omitted
                                                        for f in result.files]
    assert [f.type_counts() for f in back.files] == [f.type_counts() for f in result.files]


def test_cache_round_trip_keeps_the_omitted_counts(corpus: Path, tmp_path: Path) -> None:
    config = Config(cache_file=tmp_path / "c.sqlite", jobs=1, max_findings=4)
    first = scan([corpus], config)
    second = scan([corpus], config)
    assert all(f.cached for f in second.files)
    assert [f.omitted for f in second.files] == [f.omitted for f in first.files]
    assert any(f.omitted for f in second.files)
    assert _outcome(second) == _outcome(first)
    # Another cap is another result: the cap is part of the cache key.
    other = scan([corpus], config.merged(max_findings=0))
    assert not any(f.cached for f in other.files) and not any(f.omitted for f in other.files)


@pytest.mark.usefixtures("in_process")
@pytest.mark.parametrize("fmt", ["console", "csv", "sarif", "html", "junit", "markdown"])
def test_reports_say_a_files_list_is_not_complete(corpus: Path, fmt: str) -> None:
    r = runner.invoke(app, ["scan", str(corpus / "prose.txt"), "--max-findings", "3",
                            "--no-cache", "-f", fmt])
    assert r.exit_code == 1, r.output
    full = scan([corpus / "prose.txt"], Config(cache=False, jobs=1, max_findings=0))
    total = full.files[0].finding_count
    if fmt == "junit":
        assert f"... and {total - 3} more findings" in r.stdout
    elif fmt == "markdown":
        assert f"| {total} |" in r.stdout
    else:
        assert f"and {total - 3} more findings not listed (--max-findings)" in r.stdout


@pytest.mark.usefixtures("in_process")
def test_exit_code_and_verdict_do_not_depend_on_the_cap(corpus: Path) -> None:
    codes = set()
    for cap in ("0", "1", "1000"):
        r = runner.invoke(app, ["scan", str(corpus / "nineteen.txt"), "--no-cache",
                                "--for", "enterprise-ai", "-q", "--max-findings", cap])
        codes.add((r.exit_code, r.stdout.splitlines()[0]))
    assert codes == {(0, "Verdict for enterprise-ai: ALLOW")}
    codes = set()
    for cap in ("0", "1", "1000"):
        r = runner.invoke(app, ["scan", str(corpus / "twenty.txt"), "--no-cache",
                                "--for", "enterprise-ai", "-q", "--max-findings", cap,
                                "--fail-on", "review"])
        codes.add((r.exit_code, r.stdout.splitlines()[0]))
    assert codes == {(1, "Verdict for enterprise-ai: REVIEW")}


# -- baselines -------------------------------------------------------------------------

@pytest.mark.usefixtures("in_process")
def test_baseline_lists_every_finding_and_omitted_findings_still_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "ssn.txt").write_text("".join(f"SSN 536-22-{8100 + i}\n" for i in range(30)),
                                  encoding="utf-8")
    # `baseline create` ignores the cap: a baseline must hold every finding's hash.
    (tmp_path / ".dataclass-scan.toml").write_text("max-findings = 5\n", encoding="utf-8")
    r = runner.invoke(app, ["baseline", "create", "data", "-o", "bl.json"])
    assert r.exit_code == 0, r.output
    entries = json.loads((tmp_path / "bl.json").read_text())["entries"]
    assert len(entries) == 30

    def gated(cap: str) -> dict:  # type: ignore[type-arg]
        r = runner.invoke(app, ["scan", "data", "--no-cache", "--baseline", "bl.json",
                                "-f", "json", "--max-findings", cap])
        return json.loads(r.stdout)["files"][0]  # type: ignore[no-any-return]

    uncapped, capped = gated("0"), gated("5")
    assert uncapped["verdict"] == "allow" and uncapped["findings"] == []
    # The 25 not listed carry no hash to match: they keep the file blocked, and it says so.
    assert capped["verdict"] == "block" and capped["findings"] == []
    assert capped["findings_omitted"] == 25
    assert any("25 finding(s) beyond --max-findings were not matched against the baseline"
               in why for why in capped["reasons"])


def test_config_key_and_its_check(tmp_path: Path) -> None:
    cfg = tmp_path / ".dataclass-scan.toml"
    cfg.write_text("max-findings = 0\n", encoding="utf-8")
    assert load_config(cfg).max_findings == 0
    assert Config().max_findings == 1000
    for bad in ("-1", "true", '"many"'):
        cfg.write_text(f"max-findings = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="max-findings"):
            load_config(cfg)
