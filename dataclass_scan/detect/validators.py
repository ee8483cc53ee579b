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


def us_npi(value: str) -> bool:
    """US National Provider Identifier: 10 digits, Luhn over the prefix 80840 + NPI."""
    from stdnum import luhn as _luhn

    digits = _digits(value)
    return len(digits) == 10 and digits[0] in "12" and _luhn.is_valid("80840" + digits)


def us_dea(value: str) -> bool:
    """US DEA registration number: 2 letters + 7 digits, the last a weighted check digit."""
    v = value.strip().upper()
    if len(v) != 9 or not v[0].isalpha() or not (v[1].isalpha() or v[1] == "9"):
        return False
    d = v[2:]
    if not d.isdigit():
        return False
    n = [int(c) for c in d]
    return (n[0] + n[2] + n[4] + 2 * (n[1] + n[3] + n[5])) % 10 == n[6]


def au_medicare(value: str) -> bool:
    """Australian Medicare card number: 10 or 11 digits, weighted check digit 9."""
    d = _digits(value)
    if len(d) not in (10, 11) or d[0] not in "23456":
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9)
    total = sum(int(c) * w for c, w in zip(d[:8], weights, strict=True))
    return total % 10 == int(d[8]) and d[9] != "0"


_NRIC_TABLES = {"S": ("JZIHGFEDCBA", 0), "T": ("JZIHGFEDCBA", 4), "F": ("XWUTRQPNMLK", 0),
                "G": ("XWUTRQPNMLK", 4), "M": ("XWUTRQPNJLK", 3)}


def sg_nric(value: str) -> bool:
    """Singapore NRIC/FIN: prefix letter, 7 digits, check letter (weights 2765432)."""
    v = value.strip().upper()
    if len(v) != 9 or v[0] not in _NRIC_TABLES or not v[1:8].isdigit():
        return False
    table, offset = _NRIC_TABLES[v[0]]
    total = sum(int(c) * w for c, w in zip(v[1:8], (2, 7, 6, 5, 4, 3, 2), strict=True))
    total += offset
    return table[total % 11] == v[8]


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y",
                 "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y",
                 "%d/%m/%y", "%m/%d/%y", "%d.%m.%y")


def birth_date(value: str) -> bool:
    """A real calendar date between 1900 and today (some reading of the format)."""
    import datetime as _dt

    v = " ".join(value.replace(",", ", ").split()).replace(" ,", ",")
    today = _dt.date.today()
    for fmt in _DATE_FORMATS:
        try:
            d = _dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
        if 1900 <= d.year and d <= today:
            return True
    return False


def ipv6(value: str) -> bool:
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return not (addr.is_unspecified or addr.is_loopback) and value.count(":") >= 2


def mac_address(value: str) -> bool:
    octets = re.split(r"[:.-]", value.lower())
    hexes = "".join(octets)
    return len(hexes) == 12 and len(set(hexes)) > 2 and hexes not in ("ffffffffffff",)


_PLACEHOLDER_WORDS = ("example", "sample", "placeholder", "dummy", "changeme", "change_me",
                      "your_", "your-", "yourkey", "redacted", "xxxxx", "*****", "<", ">",
                      "${", "{{", "%s", "....", "_here", "-here", "fake", "insert")


def not_placeholder(value: str) -> bool:
    """Rejects template values: `<your-key>`, `${TOKEN}`, `xxxxx`, `changeme`, ..."""
    low = value.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return False
    return len(set(low)) > 3


def entropy(value: str) -> bool:
    """Shannon entropy of at least 3 bits per character: random tokens pass, words and
    repeated characters do not."""
    import math
    from collections import Counter

    body = value.split("_", 1)[-1] if "_" in value[:12] else value
    if len(body) < 8:
        return False
    counts = Counter(body)
    h = -sum(n / len(body) * math.log2(n / len(body)) for n in counts.values())
    return h >= 3.0 and not_placeholder(value)


def jwt(value: str) -> bool:
    """A JSON Web Token: the first part decodes to a JSON object naming an `alg`."""
    import base64
    import json

    head = value.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        obj = json.loads(decoded)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and "alg" in obj


REGISTRY: dict[str, Validator] = {
    "luhn": luhn,
    "jwt": jwt,
    "us_npi": us_npi,
    "us_dea": us_dea,
    "au_medicare": au_medicare,
    "sg_nric": sg_nric,
    "birth_date": birth_date,
    "ipv6": ipv6,
    "mac_address": mac_address,
    "not_placeholder": not_placeholder,
    "entropy": entropy,
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


# Validators whose verdict depends on nothing but the value, so the engine may remember
# it: every one but birth_date (it compares with today), and every stdnum module.
_IMPURE = frozenset({"birth_date"})


def is_pure(name: str) -> bool:
    if name.startswith(STDNUM_PREFIX):
        return True
    return name in REGISTRY and name not in _IMPURE


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Validator:
    """A validator by name: one of REGISTRY, or `stdnum:<module>` for any python-stdnum
    module with `is_valid` (e.g. `stdnum:es.dni`, `stdnum:br.cpf`, `stdnum:in_.pan`)."""
    if name.startswith(STDNUM_PREFIX):
        return _stdnum_validator(name[len(STDNUM_PREFIX):])
    return REGISTRY[name]
