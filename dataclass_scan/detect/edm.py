"""Exact data match (EDM): find values that are real records of a known table.

`build(csv, columns, out)` reads the chosen columns of a CSV file and writes a `.edm`
file holding only keyed hashes: HMAC-SHA256 with a random 32-byte key made for that
file, of each value normalised (case, spaces and dashes ignored), truncated to 128 bits.
No plaintext is stored; the key sits in the file, so an `.edm` file is as sensitive as
a salted password file and should be kept like one.

During a scan, `EdmIndex.match(value)` says whether a value is in a column of a loaded
`.edm` file. The engine checks every finding and every word-like token of each segment,
so a customer's account number is reported even when no rule knows its format.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dataclass_scan.errors import ConfigError
from dataclass_scan.keys import normalize_value

FORMAT = "dataclass-scan/edm/v1"
DIGEST_BYTES = 16
MIN_VALUE_CHARS = 4  # shorter values (a 3-digit code) would match everywhere


def _digest(key: bytes, value: str) -> str:
    return hmac.new(key, normalize_value(value).encode(), hashlib.sha256).hexdigest()[
        : DIGEST_BYTES * 2]


@dataclass(frozen=True, slots=True)
class EdmStats:
    rows: int
    values: dict[str, int]  # column -> distinct values hashed


def build(source: Path, columns: Sequence[str], out: Path) -> EdmStats:
    try:
        with source.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = {h.strip().lower(): h for h in (reader.fieldnames or [])}
            missing = [c for c in columns if c.lower() not in header]
            if missing:
                raise ConfigError(f"{source}: no column(s) {', '.join(missing)} "
                                  f"(columns: {', '.join(reader.fieldnames or [])})")
            key = secrets.token_bytes(32)
            hashed: dict[str, set[str]] = {c: set() for c in columns}
            rows = 0
            for row in reader:
                rows += 1
                for c in columns:
                    v = (row.get(header[c.lower()]) or "").strip()
                    if len(normalize_value(v)) >= MIN_VALUE_CHARS:
                        hashed[c].add(_digest(key, v))
    except OSError as exc:
        raise ConfigError(f"cannot read {source}: {exc.strerror}") from None
    doc = {"format": FORMAT, "source": source.name, "key": key.hex(), "rows": rows,
           "columns": {c: sorted(v) for c, v in hashed.items()}}
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return EdmStats(rows, {c: len(v) for c, v in hashed.items()})


@dataclass(frozen=True, slots=True)
class _EdmFile:
    name: str
    key: bytes
    columns: dict[str, frozenset[str]]
    digest: str


class EdmIndex:
    def __init__(self, files: Sequence[_EdmFile]) -> None:
        self.files = tuple(files)

    @classmethod
    def load(cls, paths: Sequence[Path]) -> EdmIndex:
        files = []
        for p in paths:
            try:
                raw = p.read_bytes()
                doc = json.loads(raw)
                if doc.get("format") != FORMAT:
                    raise ValueError("not a dataclass-scan .edm file")
                files.append(_EdmFile(
                    name=p.name, key=bytes.fromhex(doc["key"]),
                    columns={c: frozenset(v) for c, v in doc["columns"].items()},
                    digest=hashlib.sha256(raw).hexdigest()))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"{p}: cannot load EDM file: {exc}") from None
        return cls(files)

    def match(self, value: str) -> tuple[str, str] | None:
        """(file name, column) of the first column holding the value, or None."""
        if len(normalize_value(value)) < MIN_VALUE_CHARS:
            return None
        for f in self.files:
            d = _digest(f.key, value)
            for column, hashes in f.columns.items():
                if d in hashes:
                    return f.name, column
        return None
