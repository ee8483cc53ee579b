"""The start-up cache (detect/startcache.py): what start-up derives from the rule files
is kept between runs, and a stale, damaged or foreign entry is derived again."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from dataclass_scan.detect import engine, prefilter, rulepack, startcache
from dataclass_scan.detect.engine import Engine
from dataclass_scan.detect.names import NameMatcher
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Segment
from fixtures.corpus import prose
from tests.test_names_equivalence import ReferenceMatcher, assert_same


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty per-installation folder, and no packs kept by this process."""
    where = tmp_path / "home"
    monkeypatch.setenv("DATACLASS_SCAN_HOME", str(where))
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    engine._name_matcher.cache_clear()  # name matchers this process built already
    return where / "startup"


def _entries(home: Path, prefix: str) -> list[Path]:
    return sorted(home.glob(f"{prefix}-*.bin"))


# -- the store ------------------------------------------------------------------------

def test_round_trip_owner_only(home: Path) -> None:
    startcache.put("test-a", "k1", {"x": (1, 2)})
    assert startcache.get("test-a", "k1") == {"x": (1, 2)}
    (entry,) = _entries(home, "test")
    assert entry.stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
    assert home.parent.stat().st_mode & 0o777 == 0o700  # the per-installation folder
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def test_other_key_or_other_code_is_stale(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    startcache.put("test-a", "k1", [1])
    assert startcache.get("test-a", "k2") is None
    monkeypatch.setattr(startcache, "stamp", lambda: "another version of the code")
    assert startcache.get("test-a", "k1") is None


@pytest.mark.parametrize("damage", ["flip", "truncate", "header", "empty"])
def test_damaged_entry_is_missing(home: Path, damage: str) -> None:
    startcache.put("test-a", "k1", list(range(1000)))
    (entry,) = _entries(home, "test")
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[-10] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "header":
        data = b"not json\n" + data
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    assert startcache.get("test-a", "k1") is None


def test_entry_others_may_write_is_not_loaded(home: Path) -> None:
    startcache.put("test-a", "k1", [1])
    (entry,) = _entries(home, "test")
    entry.chmod(0o666)
    assert startcache.get("test-a", "k1") is None
    entry.chmod(0o600)
    home.chmod(0o777)
    assert startcache.get("test-a", "k1") is None


def test_read_only_home_is_no_error(home: Path) -> None:
    home.parent.mkdir(parents=True)
    home.write_text("a file where the folder should be")
    startcache.put("test-a", "k1", [1])
    assert startcache.get("test-a", "k1") is None


def test_old_entries_are_pruned(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startcache, "MAX_ENTRIES", 3)
    for i in range(5):
        startcache.put(f"test-{i}", "k", i)
        os.utime(home / f"test-{i}.bin", ns=(i * 10**9, i * 10**9))
    startcache.put("test-5", "k", 5)
    assert [p.name for p in _entries(home, "test")] == ["test-3.bin", "test-4.bin",
                                                        "test-5.bin"]


# -- rule packs -----------------------------------------------------------------------

PACK = """pack: custom
rules:
  - id: custom.ticket
    type: TICKET
    category: custom
    patterns: ['TCK-\\d{6}']
    validators: ['stdnum:es.dni']
"""


def test_pack_comes_from_the_cache_when_unchanged(home: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "custom.yml"
    path.write_text(PACK)
    first = rulepack.load_pack(path, examples=False)
    assert len(_entries(home, "pack")) == 1
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})

    def no_parse(*_args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(rulepack, "_load_pack", no_parse)
    assert rulepack.load_pack(path, examples=False) == first


def test_changed_pack_is_parsed_and_checked_again(home: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "custom.yml"
    path.write_text(PACK)
    rulepack.load_pack(path, examples=False)
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    path.write_text(PACK.replace("TCK-", "TKT-"))
    assert rulepack.load_pack(path, examples=False).rules[0].patterns == ("TKT-\\d{6}",)
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    # A bad file at the same path still stops the load, naming file and line.
    path.write_text(PACK.replace("TCK-\\d{6}", "(unclosed"))
    with pytest.raises(RulePackError) as err:
        rulepack.load_pack(path, examples=False)
    assert err.value.path == str(path) and err.value.line == 6


def test_damaged_pack_entry_is_rebuilt(home: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "custom.yml"
    path.write_text(PACK)
    first = rulepack.load_pack(path, examples=False)
    (entry,) = _entries(home, "pack")
    entry.write_bytes(entry.read_bytes()[:-5])
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    assert rulepack.load_pack(path, examples=False) == first
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    monkeypatch.setattr(rulepack, "_load_pack", None)  # rewritten whole: no parse now
    assert rulepack.load_pack(path, examples=False) == first


NAMES_PACK = """pack: people
rules:
  - id: people.staff
    type: PERSON
    category: pii
    kind: names
    terms_file: staff.txt
"""


def test_user_terms_files_are_not_copied(home: Path, tmp_path: Path) -> None:
    (tmp_path / "staff.txt").write_text("Quintavius\n")
    path = tmp_path / "people.yml"
    path.write_text(NAMES_PACK)
    pack = rulepack.load_pack(path, examples=False)
    scanner = Engine([pack])
    found = scanner.detect(Segment(text="Signed, Quintavius Smith")).findings
    assert [f.type for f in found] == ["PERSON"]
    assert not home.exists() or not any(
        b"Quintavius" in p.read_bytes() for p in home.iterdir())


def test_terms_file_change_invalidates_a_stored_pack(home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Packs that ship with the tool are stored with their terms files' digests.
    monkeypatch.setattr(rulepack, "builtin_rules_dir", lambda: tmp_path)
    (tmp_path / "staff.txt").write_text("Quintavius\n")
    path = tmp_path / "people.yml"
    path.write_text(NAMES_PACK)
    assert rulepack.load_pack(path, examples=False).rules[0].terms == ("Quintavius",)
    assert len(_entries(home, "pack")) == 1
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    (tmp_path / "staff.txt").write_text("Octavia\n")
    assert rulepack.load_pack(path, examples=False).rules[0].terms == ("Octavia",)


# -- engine state ---------------------------------------------------------------------

PATTERNS = [(p, r.flags) for pack in rulepack.load_packs(examples=False) for r in pack.rules
            for p in r.patterns]


def test_prefilter_analyses_come_back_identical(home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = ([prefilter.analyze(p, f) for p, f in PATTERNS],
             [prefilter.shortest(p, f) for p, f in PATTERNS])
    assert prefilter.analyses(PATTERNS) == fresh  # derived, stored
    assert len(_entries(home, "prefilter")) == 1
    monkeypatch.setattr(prefilter, "analyze", None)  # stored: not analysed again
    assert prefilter.analyses(PATTERNS) == fresh


def test_prefilter_entry_of_other_code_is_rebuilt(home: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    prefilter.analyses(PATTERNS)
    monkeypatch.setattr(startcache, "stamp", lambda: "another version of the code")
    calls = []
    real = prefilter.analyze
    monkeypatch.setattr(prefilter, "analyze", lambda p, f: calls.append(p) or real(p, f))
    prefilter.analyses(PATTERNS)
    assert len(calls) == len(PATTERNS)


NAME_TEXTS = [
    "Dear Maria Garcia, please call Mr. O'Neil or Dr. Smith.",
    "ZOË MÜLLER and Zoë Müller met Søren Kierkegaard; Mary Ann Jones signed.",
    "James\n",
    "Kelvin sign: \u212aatherine Brown, İlker Öztürk",
]


def test_name_tables_from_the_cache_find_the_same_spans(home: Path) -> None:
    first = ("maria", "james", "zoë", "søren", "mary ann", "katherine", "ilker")
    last = ("garcia", "o'neil", "smith", "müller", "jones", "brown", "öztürk")
    reference = ReferenceMatcher(first, last)  # the first version, one folded pass
    stored = NameMatcher(first, last, cache=True)
    assert len(_entries(home, "names")) == 1
    again = NameMatcher(first, last, cache=True)
    for matcher in (NameMatcher(first, last), stored, again):
        for text in NAME_TEXTS:
            assert_same(matcher, reference, text)
    assert [NAME_TEXTS[1][s:e] for s, e in again.iter_spans(NAME_TEXTS[1])] == [
        "Zoë Müller", "Søren Kierkegaard"]


def _findings(engine: Engine, texts: list[str]) -> list[tuple[object, ...]]:
    out = []
    for text in texts:
        result = engine.detect(Segment(text=text))
        out.extend((f.rule, f.start, f.end, f.confidence, f.excerpt, f.value_hash, f.reasons)
                   for f in result.findings)
        out.extend(result.errors)
    return out


def test_same_findings_cold_warm_and_damaged(home: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [prose(40_000, seed=3, every=400), *NAME_TEXTS]
    cold = _findings(Engine(rulepack.load_packs(examples=False)), texts)  # the cache is written
    assert _entries(home, "pack") and _entries(home, "prefilter") and _entries(home, "names")
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    warm = _findings(Engine(rulepack.load_packs(examples=False)), texts)
    for entry in home.iterdir():
        entry.write_bytes(b"{}\n" + os.urandom(64))
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    damaged = _findings(Engine(rulepack.load_packs(examples=False)), texts)
    monkeypatch.setattr(startcache, "get", lambda name, key: None)
    monkeypatch.setattr(startcache, "put", lambda name, key, value: None)
    monkeypatch.setattr(rulepack, "_PACK_CACHE", {})
    without = _findings(Engine(rulepack.load_packs(examples=False)), texts)
    assert len(without) > 20
    assert cold == warm == damaged == without


# -- labels, allowlist, and a warm start ----------------------------------------------

def test_labels_file_from_the_cache_and_checked_when_changed(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclass_scan.classify import labels

    path = tmp_path / "labels.yml"
    path.write_bytes(labels.default_labels_path().read_bytes())
    parsed = []
    real = labels._parse_label_policy
    monkeypatch.setattr(labels, "_parse_label_policy",
                        lambda text, where: parsed.append(where) or real(text, where))
    first = labels.load_label_policy(path)
    assert len(_entries(home, "labels")) == 1
    assert labels.load_label_policy(path) == first
    assert parsed == [str(path)]  # stored: not parsed again
    path.write_text(path.read_text() + "\nsurprise: 1\n")
    with pytest.raises(RulePackError) as err:
        labels.load_label_policy(path)
    assert err.value.path == str(path) and err.value.line == len(path.read_text().splitlines())


def test_builtin_allowlist_from_the_cache(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclass_scan.detect import allowlist

    monkeypatch.setattr(allowlist, "_BUILTIN_CACHE", {})
    first = allowlist.load_builtin()
    assert len(_entries(home, "allowlist")) == 1
    monkeypatch.setattr(allowlist, "_BUILTIN_CACHE", {})
    monkeypatch.setattr(allowlist, "_parse_entries", None)  # stored: not parsed again
    again = allowlist.load_builtin()
    assert [(e.description, e.types, e.values, [(p.pattern, p.flags) for p in e.patterns])
            for e in again] == [
        (e.description, e.types, e.values, [(p.pattern, p.flags) for p in e.patterns])
        for e in first]


def test_a_warm_one_file_scan_parses_no_yaml(home: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("Contact jane.doe@acme-corp.com, SSN 536-22-8145\n")
    code = ("import sys; from dataclass_scan.cli import main\n"
            f"sys.argv = ['dataclass-scan', 'scan', '-q', '-j', '1', {str(small)!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "print(code, 'yaml' in sys.modules)\n")
    env = {**os.environ, "DATACLASS_SCAN_HOME": str(home.parent)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, env=env) for _ in range(2)]
    assert runs[0].stdout.split()[-2:] == ["1", "True"], runs[0].stdout + runs[0].stderr
    assert runs[1].stdout.split()[-2:] == ["1", "False"], runs[1].stdout + runs[1].stderr
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]


def test_examples_never_cached(home: Path, tmp_path: Path) -> None:
    """Rule examples are sample secrets: the cache holds rules without them, and
    `rules test` / lint (examples=True) always parse the file."""
    path = tmp_path / "custom.yml"
    path.write_text(PACK.replace("    validators: ['stdnum:es.dni']\n",
                                 "    examples:\n      match: ['TCK-123456']\n"
                                 "      no_match: ['TCK-12']\n"))
    full = rulepack.load_pack(path)
    assert full.rules[0].match_examples == ("TCK-123456",)
    [entry] = _entries(home, "pack")
    assert b"TCK-123456" not in zlib.decompress(entry.read_bytes().split(b"\n", 1)[1])
    bare = rulepack.load_pack(path, examples=False)
    assert bare.rules[0].match_examples == () and bare.rules[0].patterns == full.rules[0].patterns
    assert rulepack.load_pack(path).rules[0].no_match_examples == ("TCK-12",)
