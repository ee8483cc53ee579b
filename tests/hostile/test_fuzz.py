"""Bounded fuzzing in CI (hypothesis): every extractor is fed byte-level mutations of
builder-generated seeds through the real pipeline, and the rule engine gets arbitrary
text and mutated rule files. A crash (an exception escaping the runner), a hang, or a
result without a reason fails the test; hypothesis shrinks it to a small input.

DCS_FUZZ_EXAMPLES sets examples per target (default 25: about a minute in all);
fuzz/run.py runs longer campaigns and docs/security.md records their figures.
"""

from __future__ import annotations

import os
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataclass_scan.detect.rulepack import builtin_rules_dir, load_pack
from dataclass_scan.errors import RulePackError
from dataclass_scan.model import Segment
from fuzz.harness import OPS, context, mutate, run_one
from fuzz.seeds import build_seeds

EXAMPLES = int(os.environ.get("DCS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck), print_blob=True)


@lru_cache(maxsize=1)
def seeds() -> dict[str, list[tuple[str, bytes]]]:
    return build_seeds()


FORMATS = sorted(build_seeds())

ops = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 20),
                         st.binary(min_size=0, max_size=12)), min_size=1, max_size=4)


@pytest.mark.parametrize("fmt", FORMATS)
def test_extractor_survives_mutated_input(fmt: str):
    @FUZZ
    @given(seed=st.integers(0, 100), mutation=ops)
    def run(seed: int, mutation: list[tuple[str, int, bytes]]) -> None:
        name, data = seeds()[fmt][seed % len(seeds()[fmt])]
        run_one(name, mutate(data, mutation), time_limit=30)

    run()


def test_every_seed_scans_cleanly():
    """The seeds themselves are valid: each is read as its format, without errors."""
    for fmt, items in seeds().items():
        for name, data in items:
            top = run_one(name, data).results[0]
            assert top.status.value == "scanned", (fmt, name, top.errors)


@FUZZ
@given(text=st.text(max_size=2000))
def test_engine_survives_arbitrary_text(text: str):
    res = context().engine.detect(Segment(text=text))
    for f in res.findings:
        assert 0 <= f.start < f.end <= len(text)


@FUZZ
@given(mutation=ops, pack=st.sampled_from(sorted(p.name for p in builtin_rules_dir().glob(
    "*.yml") if p.name != "labels.yml")))
def test_rule_loader_refuses_mutated_packs_with_a_typed_error(tmp_path_factory, mutation,
                                                              pack: str):
    src = (builtin_rules_dir() / pack).read_bytes()
    path = tmp_path_factory.mktemp("pack") / pack
    path.write_bytes(mutate(src, mutation))
    try:
        load_pack(path)
    except RulePackError as exc:
        assert pack in str(exc)
