"""Rule schema extensions: exclusions, negative and per-language context, min_count,
allowlists (built-in, config, path), inline ignore markers, term files, stdnum validators."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataclass_scan import scan
from dataclass_scan.config import Config, load_config
from dataclass_scan.detect import allowlist as allowlists
from dataclass_scan.detect.engine import Engine, TraceEvent
from dataclass_scan.detect.rulepack import load_pack, load_packs
from dataclass_scan.errors import ConfigError, RulePackError
from dataclass_scan.model import Segment

BUILTIN = Engine(load_packs())


def _pack(tmp_path: Path, rules: str, name: str = "t.yml") -> Path:
    p = tmp_path / name
    p.write_text("pack: t\nrules:\n" + rules, encoding="utf-8")
    return p


def _values(engine: Engine, text: str, context: str = "") -> list[tuple[str, str]]:
    res = engine.detect(Segment(text=text, context=context))
    return [(text[f.start:f.end], f.confidence.value) for f in res.findings]


ORDER_RULE = """\
  - id: order
    type: ORDER_NO
    category: custom
    patterns: ['\\bORD-\\d{4}\\b']
    confidence: medium
    exclude:
      values: [ORD-0000]
      patterns: ['ORD-99\\d\\d']
      words: [sample]
    context:
      keywords:
        en: [order]
        de: [bestellung]
        fr: [commande]
        es: [pedido]
      negative: [test, dummy]
"""


def test_exclusions_drop_values_patterns_and_words(tmp_path: Path) -> None:
    eng = Engine(load_packs([_pack(tmp_path, ORDER_RULE)], include_builtin=False))
    assert _values(eng, "ref ORD-1234") == [("ORD-1234", "medium")]
    assert _values(eng, "ref ORD-0000") == []
    assert _values(eng, "ref ORD-9912") == []
    assert _values(eng, "a sample ORD-1234") == []
    assert _values(eng, "ORD-1234", context="sample_id") == []


@pytest.mark.parametrize("word", ["order", "Bestellung", "commande", "pedido"])
def test_per_language_keywords_raise_confidence(tmp_path: Path, word: str) -> None:
    eng = Engine(load_packs([_pack(tmp_path, ORDER_RULE)], include_builtin=False))
    assert _values(eng, f"{word}: ORD-1234") == [("ORD-1234", "high")]
    rule = eng.rules[0]
    assert dict(rule.context.keywords_by_lang)["de"] == ("bestellung",)


def test_negative_context_lowers_then_drops(tmp_path: Path) -> None:
    eng = Engine(load_packs([_pack(tmp_path, ORDER_RULE)], include_builtin=False))
    assert _values(eng, "dummy ORD-1234") == [("ORD-1234", "low")]
    low = ORDER_RULE.replace("confidence: medium", "confidence: low")
    eng = Engine(load_packs([_pack(tmp_path, low)], include_builtin=False))
    assert _values(eng, "dummy ORD-1234") == []
    assert _values(eng, "ORD-1234", context="test_column") == []


def test_min_count_applies_per_file(tmp_path: Path) -> None:
    rules = ORDER_RULE.replace("    confidence: medium\n", "    confidence: medium\n"
                               "    min_count: 3\n")
    packs = load_packs([_pack(tmp_path, rules)], include_builtin=False)
    eng = Engine(packs)
    two = eng.detect(Segment(text="ORD-1111 ORD-2222")).findings
    three = eng.detect(Segment(text="ORD-1111 ORD-2222 ORD-3333")).findings
    assert eng.finalize("a.txt", two) == []
    assert len(eng.finalize("a.txt", three)) == 3
    events: list[TraceEvent] = []
    eng.finalize("a.txt", two, events.append)
    assert events and events[0].step == "min_count" and "needs 3" in events[0].detail


def test_min_count_through_a_scan(tmp_path: Path) -> None:
    rules = ORDER_RULE.replace("    confidence: medium\n", "    confidence: medium\n"
                               "    min_count: 2\n")
    pack = _pack(tmp_path, rules)
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.txt").write_text("ref ORD-1234\n")
    (data / "two.txt").write_text("ref ORD-1234\nref ORD-5678\n")
    res = scan([data], Config(rules=(pack,), builtin_rules=False))
    counts = {Path(f.path).name: len(f.findings) for f in res.files}
    assert counts == {"one.txt": 0, "two.txt": 2}


@pytest.mark.parametrize(
    ("text", "etype"),
    [
        ("card 4111 1111 1111 1111", "CREDIT_CARD"),
        ("card 4242424242424242", "CREDIT_CARD"),
        ("SSN 987-65-4321", "US_SSN"),
        ("mail jane@example.com", "EMAIL"),
        ("mail jane@mail.example.org", "EMAIL"),
        ("aws_access_key_id=AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY"),
    ],
)
def test_builtin_allowlist_drops_documented_test_data(text: str, etype: str) -> None:
    assert not [f for f in BUILTIN.detect(Segment(text=text)).findings if f.type == etype]


def test_builtin_allowlist_can_be_turned_off() -> None:
    eng = Engine(load_packs(), allowlist=allowlists.from_config({"builtin": False}))
    found = {f.type for f in eng.detect(Segment(text="card 4111 1111 1111 1111 "
                                                     "key AKIAIOSFODNN7EXAMPLE")).findings}
    assert {"CREDIT_CARD", "AWS_ACCESS_KEY"} <= found


def test_config_allowlist_values_patterns_paths(tmp_path: Path) -> None:
    cfg = tmp_path / ".dataclass-scan.toml"
    cfg.write_text('[allowlist]\nvalues = ["536 22 8145"]\npatterns = [\'.*@acme-corp\\.com\']\n'
                   'paths = ["vendor/**"]\n')
    config = load_config(cwd=tmp_path)
    data = tmp_path / "data"
    (data / "vendor").mkdir(parents=True)
    (data / "a.txt").write_text("SSN 536-22-8145 jane@acme-corp.com bob@other-corp.com\n")
    (data / "vendor" / "b.txt").write_text("bob@other-corp.com\n")
    res = scan([data], config)
    by_name = {Path(f.path).name: sorted(x.type for x in f.findings) for f in res.files}
    assert by_name == {"a.txt": ["EMAIL"], "b.txt": []}


def test_config_allowlist_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown key"):
        allowlists.from_config({"valuez": []})
    with pytest.raises(ConfigError, match="bad allowlist pattern"):
        allowlists.from_config({"patterns": ["(unclosed"]})
    with pytest.raises(ConfigError, match="list of strings"):
        allowlists.from_config({"paths": "vendor"})


def test_inline_ignore_marker_suppresses_only_its_line() -> None:
    text = ("SSN 536-22-8145  # dataclass-scan: ignore\nSSN 536-22-8146\n"
            "jane@acme-corp.com SSN 536-22-8147 <!-- dataclass-scan: ignore[us.ssn] -->\n")
    found = [(f.type, text[f.start:f.end]) for f in BUILTIN.detect(Segment(text=text)).findings]
    assert found == [("US_SSN", "536-22-8146"), ("EMAIL", "jane@acme-corp.com")]


def test_trace_records_each_decision() -> None:
    events: list[TraceEvent] = []
    BUILTIN.detect(Segment(text="card 4111 1111 1111 1111, card 4539 1488 0343 6468"),
                   tracer=events.append)
    steps = {(e.rule, e.step, e.outcome) for e in events}
    assert ("credit-card", "allowlist", "drop") in steps
    assert ("credit-card", "validator", "drop") in steps


def test_stdnum_validator_by_module_name(tmp_path: Path) -> None:
    rule = """\
  - id: es.dni
    type: ES_DNI
    category: pii
    patterns: ['\\b\\d{8}[A-Z]\\b']
    validators: ['stdnum:es.dni']
"""
    eng = Engine(load_packs([_pack(tmp_path, rule)], include_builtin=False))
    assert _values(eng, "DNI 54362315K") == [("54362315K", "medium")]
    assert _values(eng, "DNI 54362315Z") == []


def test_terms_file_txt_and_csv(tmp_path: Path) -> None:
    (tmp_path / "projects.txt").write_text("# code names\nBlue Falcon\nRed Heron\n")
    (tmp_path / "clients.csv").write_text("id,client\n1,Globex Industries\n2,Initech\n")
    rules = """\
  - id: project
    type: PROJECT_CODENAME
    category: custom
    kind: dictionary
    terms_file: projects.txt
  - id: client
    type: CLIENT_NAME
    category: custom
    kind: dictionary
    terms_file: clients.csv
    terms_column: client
"""
    eng = Engine(load_packs([_pack(tmp_path, rules)], include_builtin=False))
    res = eng.detect(Segment(text="Blue Falcon ships to initech; Globex Industries waits"))
    assert [(f.rule, f.value) for f in res.findings] == [
        ("project", "Blue Falcon"), ("client", "initech"), ("client", "Globex Industries")]


@pytest.mark.parametrize(
    ("rules", "line", "needle"),
    [
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n    exclude:\n"
         "      valuez: [1]\n", 8, "unknown key 'valuez'"),
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n    exclude:\n"
         "      patterns: ['(bad']\n", 8, "bad pattern"),
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n    context:\n"
         "      keywords:\n        english: [x]\n", 9, "two-letter"),
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n    min_count: 0\n",
         7, "min_count"),
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n    context:\n"
         "      required: true\n", 8, "needs `keywords`"),
        ("  - id: a\n    type: A\n    category: pii\n    kind: dictionary\n"
         "    terms_file: missing.txt\n", 7, "cannot read terms file"),
        ("  - id: a\n    type: A\n    category: pii\n    patterns: [x]\n"
         "    validators: ['stdnum:xx.nothing']\n", 7, "unknown validator"),
    ],
)
def test_schema_errors_name_file_and_line(tmp_path: Path, rules: str, line: int,
                                          needle: str) -> None:
    path = _pack(tmp_path, rules)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert err.value.line == line, str(err.value)
    assert needle in str(err.value)
