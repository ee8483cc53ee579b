"""CI integration: --changed-since against a real git repository, the pre-commit hooks
run by the real pre-commit tool, and the GitHub Action's scan step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dataclass_scan.cli import app
from fixtures.builder import PLANTED

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

pytestmark = pytest.mark.usefixtures("in_process")
SSN_LINE = f"SSN: {PLANTED['US_SSN']}\n"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "proj"
    r.mkdir()
    git(r, "init", "-q")
    git(r, "config", "user.email", "ci@example.org")
    git(r, "config", "user.name", "CI")
    git(r, "config", "commit.gpgsign", "false")
    (r / "old.txt").write_text(SSN_LINE)
    (r / "same.txt").write_text("unchanged\n")
    (r / "gone.txt").write_text("to be deleted\n")
    (r / ".gitignore").write_text("ignored.txt\n")
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "base")
    monkeypatch.chdir(r)
    return r


@needs_git
def test_changed_since_scans_changed_and_untracked_only(repo: Path):
    (repo / "same.txt").write_text("unchanged\nnow with a new line\n")
    (repo / "new.txt").write_text(SSN_LINE)
    (repo / "ignored.txt").write_text(SSN_LINE)
    (repo / "gone.txt").unlink()
    r = runner.invoke(app, ["scan", ".", "--changed-since", "HEAD", "-f", "json"])
    assert r.exit_code == 1, r.output
    assert "2 file(s) changed since HEAD" in r.output
    paths = sorted(f["path"] for f in json.loads(r.stdout)["files"])
    assert paths == ["new.txt", "same.txt"]  # old.txt is committed and unchanged


@needs_git
def test_changed_since_with_nothing_changed_is_clean(repo: Path):
    r = runner.invoke(app, ["scan", ".", "--changed-since", "HEAD", "-f", "json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["files"] == [] and rep["summary"]["verdict"] == "allow"


@needs_git
def test_changed_since_bad_ref_is_usage_error(repo: Path):
    r = runner.invoke(app, ["scan", ".", "--changed-since", "no-such-ref"])
    assert r.exit_code == 2 and "git diff" in r.output


def _pre_commit(project: Path, hook: str, *files: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook,
         "--files", *files], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def _hook_project(repo: Path) -> Path:
    (repo / "ok.txt").write_text("hello\n")
    (repo / "leak.txt").write_text(SSN_LINE)
    git(repo, "add", "ok.txt", "leak.txt")
    return repo


needs_pre_commit = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists()
    or shutil.which("dataclass-scan", path=str(Path(sys.executable).parent)) is None,
    reason="needs git, a git checkout of dataclass-scan and the installed console script")


@needs_pre_commit
def test_pre_commit_hook_blocks_a_staged_leak(repo: Path, tmp_path: Path):
    pytest.importorskip("pre_commit")
    project = _hook_project(repo)
    bad = _pre_commit(project, "dataclass-scan-system", "leak.txt", "ok.txt",
                      home=tmp_path / "pc")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "Verdict for public-ai: BLOCK" in bad.stdout
    assert PLANTED["US_SSN"] not in bad.stdout
    good = _pre_commit(project, "dataclass-scan-system", "ok.txt", home=tmp_path / "pc")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


@needs_pre_commit
@pytest.mark.skipif(not os.environ.get("DCS_SLOW_TESTS"),
                    reason="installs the package into a fresh environment (about a minute); "
                    "set DCS_SLOW_TESTS=1")
def test_pre_commit_python_hook_installs_and_runs(repo: Path, tmp_path: Path):
    pytest.importorskip("pre_commit")
    project = _hook_project(repo)
    bad = _pre_commit(project, "dataclass-scan", "leak.txt", "ok.txt", home=tmp_path / "pc")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Verdict for public-ai: BLOCK" in bad.stdout


def test_hooks_file_is_valid():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in hooks}
    assert {"dataclass-scan", "dataclass-scan-system", "dataclass-scan-classification"} <= ids
    for h in hooks:
        assert h["entry"].startswith("dataclass-scan scan ")
        assert {"name", "language", "types"} <= set(h)


def _scan_step() -> tuple[dict, dict]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    return action, step


def test_action_inputs_are_wired():
    action, step = _scan_step()
    assert action["runs"]["using"] == "composite"
    for value in step["env"].values():
        name = value.removeprefix("${{ inputs.").removesuffix(" }}")
        assert name in action["inputs"], name
    upload = next(s for s in action["runs"]["steps"]
                  if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@pytest.mark.parametrize(("content", "code"), [(SSN_LINE, "1"), ("hello\n", "0")])
def test_action_scan_step_writes_sarif_and_exit_code(tmp_path: Path, content, code):
    if shutil.which("dataclass-scan", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("console script not installed")
    action, step = _scan_step()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "f.txt").write_text(content)
    out = tmp_path / "github_output"
    env = dict(os.environ, GITHUB_OUTPUT=str(out))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for key, value in step["env"].items():
        name = value.removeprefix("${{ inputs.").removesuffix(" }}")
        env[key] = str(action["inputs"][name].get("default", ""))
    env["DCS_PATHS"] = "data"
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().strip() == f"exit-code={code}"
    sarif = json.loads((tmp_path / "dataclass-scan.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert bool(results) == (code == "1")
