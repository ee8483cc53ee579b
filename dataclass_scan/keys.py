"""Per-installation secret for keyed value hashes (HMAC-SHA256).

The secret lives in `$DATACLASS_SCAN_HOME/secret.key` (default
`~/.config/dataclass-scan/secret.key`), created with owner-only permissions, so a
hash of a 9-digit SSN cannot be reversed by hashing every candidate elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path


def home_dir() -> Path:
    env = os.environ.get("DATACLASS_SCAN_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dataclass-scan"


@lru_cache(maxsize=4)
def _secret_for(path: str) -> bytes:
    key_path = Path(path)
    try:
        data = key_path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = secrets.token_bytes(32)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return data


def installation_secret() -> bytes:
    # Runs once per finding: resolve the path once per environment, not with pathlib each time.
    env = os.environ
    return _secret_for(_key_path(env.get("DATACLASS_SCAN_HOME"), env.get("XDG_CONFIG_HOME"),
                                 env.get("HOME")))


@lru_cache(maxsize=8)
def _key_path(_home: str | None, _xdg: str | None, _user_home: str | None) -> str:
    return str(home_dir() / "secret.key")


def value_hash(entity_type: str, value: str) -> str:
    return value_hasher()(entity_type, value)


def value_hasher() -> Callable[[str, str], str]:
    """`value_hash` with the secret looked up once, for the many findings of a segment."""
    # The key set up once (its padded blocks hashed) and copied per value: `hmac.digest`
    # sets the key up again for every finding, twice the cost.
    keyed = hmac.new(installation_secret(), digestmod=hashlib.sha256)

    def hash_value(entity_type: str, value: str) -> str:
        h = keyed.copy()
        h.update(f"{entity_type}:{normalize_value(value)}".encode())
        return "hmac-sha256:" + h.hexdigest()

    return hash_value


def normalize_value(value: str) -> str:
    """Separators and case do not make a different value: `123-45-6789` == `123 45 6789`."""
    # str.split() drops exactly the characters str.isspace() names.
    return "".join(value.lower().split()).replace("-", "")
