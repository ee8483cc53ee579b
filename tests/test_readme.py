"""The README quick start is a contract: CI runs exactly its commands."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = ("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' "
                "&& python -m pytest -q")
    assert test_cmd in readme
    assert test_cmd.replace("pip install -e", "pip install -q -e") in ci
    assert "dataclass-scan scan fixtures/example --for public-ai --fail-on never" in readme
    assert "dataclass-scan scan fixtures/example --for public-ai --fail-on never" in ci
