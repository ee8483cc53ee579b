"""Rule files are untrusted input: loaded safely, bounded in size and in run time, and
refused with a message that names the file."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataclass_scan.cli import app
from fixtures.builder import PLANTED


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _pack(path: Path, body: str) -> Path:
    path.write_text("pack: hostile\nrules:\n" + body)
    return path


def test_catastrophic_pattern_is_stopped_and_reported_per_file_and_rule(tmp_path: Path,
                                                                       monkeypatch):
    from dataclass_scan.detect.engine import Engine

    # Patched where it is defined: the scan imports it when it first builds the engine.
    monkeypatch.setattr("dataclass_scan.detect.engine.Engine",
                        functools.partial(Engine, pattern_timeout=0.3))
    rules = _pack(tmp_path / "evil.yml", (
        "  - id: hostile.backtrack\n    type: EVIL\n    category: custom\n"
        "    patterns: ['(a|aa)+$']\n"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "a-trap.txt").write_text("a" * 60 + "!\n")
    (data / "b-normal.txt").write_text(f"ssn {PLANTED['US_SSN']}\n")
    r = invoke("scan", str(data), "--rules", str(rules), "-f", "json")
    assert r.exit_code == 1, r.output  # the SSN still blocks: the scan went on
    files = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    trap = files["a-trap.txt"]
    assert trap["status"] == "partial"
    assert any("hostile.backtrack" in e and "timed out after 0.3s" in e for e in trap["errors"])
    assert files["b-normal.txt"]["status"] == "scanned"
    assert [x["type"] for x in files["b-normal.txt"]["findings"]] == ["US_SSN"]


def test_oversized_dictionary_is_a_usage_error_naming_the_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("dataclass_scan.detect.dictionary.MAX_TERMS", 5)
    rules = _pack(tmp_path / "huge-dict.yml", (
        "  - id: hostile.words\n    type: CODENAME\n    category: custom\n"
        "    kind: dictionary\n    terms: [a1, b2, c3, d4, e5, f6]\n"))
    r = invoke("scan", str(tmp_path), "--rules", str(rules), "--no-builtin-rules")
    assert r.exit_code == 2, r.output
    assert "huge-dict.yml:3" in r.output and "hostile.words" in r.output
    assert "limit is 5" in r.output
    assert "Traceback" not in r.output


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path):
    layers = ['&a1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    layers += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(2, 10)]
    bomb = tmp_path / "bomb.yml"
    bomb.write_text("pack: bomb\ndescription: [" + ", ".join(layers) + "]\nrules:\n"
                    "  - id: b.one\n    type: B_ONE\n    category: custom\n"
                    "    patterns: ['zzz']\n")
    r = invoke("scan", str(tmp_path), "--rules", str(bomb))
    assert r.exit_code == 2, r.output
    assert "bomb.yml:" in r.output and "alias" in r.output


def test_scalar_aliases_still_work(tmp_path: Path):
    rules = tmp_path / "ok.yml"
    rules.write_text("pack: ok\nrules:\n  - id: ok.one\n    type: CODENAME\n"
                     "    category: &cat custom\n    patterns: ['falcon-\\d+']\n"
                     "  - id: ok.two\n    type: CODENAME\n    category: *cat\n"
                     "    patterns: ['eagle-\\d+']\n")
    (tmp_path / "d.txt").write_text("project eagle-7\n")
    r = invoke("scan", str(tmp_path / "d.txt"), "--rules", str(rules), "--no-builtin-rules",
               "-f", "json")
    assert r.exit_code == 0, r.output
    assert [x["rule"] for x in json.loads(r.stdout)["files"][0]["findings"]] == ["ok.two"]


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['touch PWNED']",
    "!!python/name:os.system",
])
def test_python_tags_are_not_executed(tmp_path: Path, monkeypatch, payload: str):
    monkeypatch.chdir(tmp_path)
    rules = tmp_path / "tags.yml"
    rules.write_text(f"pack: tags\ndescription: {payload}\nrules: []\n")
    r = invoke("scan", str(tmp_path), "--rules", str(rules))
    assert r.exit_code == 2, r.output
    assert "tags.yml" in r.output
    assert not (tmp_path / "PWNED").exists()


def test_oversized_rule_file_is_refused(tmp_path: Path):
    big = tmp_path / "big.yml"
    big.write_text("pack: big\ndescription: '" + "x" * (9 * 1024 * 1024) + "'\nrules: []\n")
    r = invoke("scan", str(tmp_path / "big.yml"), "--rules", str(big))
    assert r.exit_code == 2, r.output
    assert "big.yml" in r.output and "larger than" in r.output


def test_rule_file_that_is_not_utf8_or_not_a_file(tmp_path: Path):
    bad = tmp_path / "bin.yml"
    bad.write_bytes(b"pack: x\n\xff\xfe\x00rules: []\n")
    r = invoke("scan", str(tmp_path), "--rules", str(bad))
    assert r.exit_code == 2 and "bin.yml" in r.output, r.output
    r = invoke("scan", str(tmp_path), "--rules", "/dev/null")
    assert r.exit_code == 2, r.output
