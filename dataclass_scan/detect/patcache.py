"""Remember which rule patterns are known to compile, across processes.

Loading the rule packs checks that every pattern compiles, so a bad one is reported with
its file and line. With the `regex` module that check costs more than everything else a
one-file scan does, and the packs rarely change: a pattern that compiled once (same
text, same flags, same `regex` version) is recorded by digest in
`<home>/patterns-ok` and not compiled again just to be checked. The engine still
compiles a pattern when it first needs it. The file holds digests only.
"""

from __future__ import annotations

import hashlib
import os

import regex

_known: set[str] | None = None
_path: str | None = None


def _digest(pattern: str, flags: int) -> str:
    version = getattr(regex, "__version__", "")
    return hashlib.sha256(f"{version}\0{flags}\0{pattern}".encode()).hexdigest()[:32]


def _load() -> set[str]:
    global _known, _path
    from dataclass_scan.keys import home_dir

    path = str(home_dir() / "patterns-ok")
    if _known is None or path != _path:
        _path = path
        try:
            with open(path, encoding="ascii") as fh:
                _known = {line.strip() for line in fh if len(line.strip()) == 32}
        except (OSError, UnicodeDecodeError):
            _known = set()
    return _known


def check(pattern: str, flags: int) -> None:
    """Raise `regex.error` if `pattern` does not compile; cheap when known to."""
    known = _load()
    digest = _digest(pattern, flags)
    if digest in known:
        return
    regex.compile(pattern, flags)
    known.add(digest)
    if _path is None:
        return
    try:
        os.makedirs(os.path.dirname(_path), mode=0o700, exist_ok=True)
        fd = os.open(_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (digest + "\n").encode("ascii"))
        finally:
            os.close(fd)
    except OSError:
        pass  # read-only home: just check every time
