"""Validators by name: value -> True (valid), False (reject), None (cannot tell).

Checksums come from well-kept libraries (python-stdnum, phonenumbers) where one exists.
A new validator is one function plus one line in REGISTRY.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from collections.abc import Callable
from functools import cache
from typing import Any

Validator = Callable[[str], "bool | None"]


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def luhn(value: str) -> bool:
    from stdnum import luhn as _luhn

    digits = _digits(value)
    return 12 <= len(digits) <= 19 and _luhn.is_valid(digits)


def us_ssn(value: str) -> bool:
    from stdnum.us import ssn

    # stdnum rejects area 000/666/9xx, group 00, serial 0000 and known-bad numbers.
    return bool(ssn.is_valid(_digits(value)))


def iban(value: str) -> bool:
    from stdnum import iban as _iban

    return bool(_iban.is_valid(value))


def ipv4(value: str) -> bool:
    try:
        addr = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return not (addr.is_unspecified or addr.is_loopback)


def phone(value: str) -> bool | None:
    import phonenumbers

    region = None if value.strip().startswith("+") else "US"
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def email(value: str) -> bool:
    local, _, domain = value.rpartition("@")
    if not local or "." not in domain or ".." in value:
        return False
    tld = domain.rsplit(".", 1)[-1]
    return tld.isalpha() and len(tld) >= 2


REGISTRY: dict[str, Validator] = {
    "luhn": luhn,
    "us_ssn": us_ssn,
    "iban": iban,
    "ipv4": ipv4,
    "phone": phone,
    "email": email,
}


STDNUM_PREFIX = "stdnum:"
_STDNUM_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?$")


def _stdnum_module(spec: str) -> Any | None:
    """`es.dni` -> the stdnum.es.dni module, if it exists and has `is_valid`."""
    if not _STDNUM_RE.match(spec):
        return None
    try:
        module = importlib.import_module(f"stdnum.{spec}")
    except ImportError:
        return None
    return module if callable(getattr(module, "is_valid", None)) else None


@cache
def _stdnum_validator(spec: str) -> Validator:
    module = _stdnum_module(spec)
    if module is None:
        raise KeyError(f"{STDNUM_PREFIX}{spec}")
    is_valid = module.is_valid

    def check(value: str) -> bool:
        try:
            return bool(is_valid(value))
        except Exception:  # noqa: BLE001 - a validator crash on odd input means "invalid"
            return False

    check.__name__ = f"stdnum_{spec.replace('.', '_')}"
    return check


def exists(name: str) -> bool:
    if name.startswith(STDNUM_PREFIX):
        return _stdnum_module(name[len(STDNUM_PREFIX):]) is not None
    return name in REGISTRY


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Validator:
    """A validator by name: one of REGISTRY, or `stdnum:<module>` for any python-stdnum
    module with `is_valid` (e.g. `stdnum:es.dni`, `stdnum:br.cpf`, `stdnum:in_.pan`)."""
    if name.startswith(STDNUM_PREFIX):
        return _stdnum_validator(name[len(STDNUM_PREFIX):])
    return REGISTRY[name]
