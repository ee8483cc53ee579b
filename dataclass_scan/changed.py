"""`--changed-since REF`: the files under the given paths that differ from a git ref
(`git diff --name-only REF`, deletions left out) plus untracked, not-ignored files."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from dataclass_scan.errors import ConfigError


def _git(cwd: Path, *args: str) -> list[str]:
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--changed-since needs git, which is not installed") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:2])} failed in {cwd}: "
                          f"{err[-1] if err else 'exit ' + str(proc.returncode)}")
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def changed_files(paths: Sequence[str], ref: str) -> list[str]:
    """Changed and untracked files under `paths`, as paths relative to the current folder
    when possible, sorted."""
    if ref.startswith("-"):
        raise ConfigError(f"--changed-since: {ref!r} is not a git ref")
    out: set[str] = set()
    cwd = Path.cwd().resolve()
    for raw in paths:
        root = Path(raw).resolve()
        where = root if root.is_dir() else root.parent
        top = Path(_git(where, "rev-parse", "--show-toplevel")[0].strip()).resolve()
        names = _git(top, "diff", "--name-only", "-z", "--diff-filter=d", ref, "--")
        names += _git(top, "ls-files", "-z", "--others", "--exclude-standard")
        for name in names:
            p = (top / name).resolve()
            if p != root and root not in p.parents:
                continue
            if not p.is_file():
                continue
            try:
                out.add(str(p.relative_to(cwd)))
            except ValueError:
                out.add(os.fspath(p))
    return sorted(out)
