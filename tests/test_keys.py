"""Keyed value hashes and value normalization (dataclass_scan/keys.py)."""

from __future__ import annotations

import hashlib
import hmac
import sys

from dataclass_scan.keys import installation_secret, normalize_value, value_hash, value_hasher


def test_normalize_drops_exactly_whitespace_and_dashes_after_lower_casing():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    want = "".join(ch for ch in every.lower() if not ch.isspace() and ch not in "-")
    assert normalize_value(every) == want
    assert normalize_value("536-22-8145") == normalize_value(" 536 22\u00a08145\n") == "536228145"


def test_value_hasher_equals_value_hash_and_the_hmac_definition():
    hasher = value_hasher()
    for etype, value in [("US_SSN", "536-22-8145"), ("EMAIL", "Jane.Doe@acme-corp.com"),
                         ("X", ""), ("PERSON", "Zoë Ångström")]:
        digest = hmac.new(installation_secret(), f"{etype}:{normalize_value(value)}".encode(),
                          hashlib.sha256).hexdigest()
        assert hasher(etype, value) == value_hash(etype, value) == f"hmac-sha256:{digest}"


def test_value_hasher_is_hmac_for_secrets_of_every_length(monkeypatch):
    # value_hasher keeps one keyed HMAC and copies it; a key longer than the SHA-256
    # block is hashed first (RFC 2104), as a secret.key of more than 64 bytes would be.
    import dataclass_scan.keys as keys

    for size in (32, 63, 64, 65, 200):
        secret = bytes(range(size % 256)) * (size // 256) + bytes(range(size % 256))
        assert len(secret) == size
        monkeypatch.setattr(keys, "installation_secret", lambda s=secret: s)
        message = f"US_SSN:{normalize_value('536-22-8145')}".encode()
        digest = hmac.new(secret, message, hashlib.sha256).hexdigest()
        assert value_hasher()("US_SSN", "536-22-8145") == f"hmac-sha256:{digest}"
