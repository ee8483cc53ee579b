"""`--password-file FILE`: candidate passwords, one per line, for encrypted PDFs, Office
files and zip members. The passwords are kept only in memory (Config.passwords, excluded
from its repr), never logged and never written to any report."""

from __future__ import annotations

from pathlib import Path

from dataclass_scan.errors import ConfigError

MAX_PASSWORDS = 1000


def read_password_file(path: Path) -> tuple[str, ...]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read password file ({exc.strerror})") from None
    text = raw.decode("utf-8-sig", errors="replace")
    seen: dict[str, None] = {}
    for line in text.splitlines():
        if line and line not in seen:
            seen[line] = None
    if len(seen) > MAX_PASSWORDS:
        raise ConfigError(f"{path}: more than {MAX_PASSWORDS} passwords; keep the list short")
    return tuple(seen)
