"""Convert rules users already have into this project's rule format.

- gitleaks TOML (`[[rules]]` with `id`, `description`, `regex`, `entropy`): one
  `secret` rule each; `entropy` adds the `entropy` validator. gitleaks `keywords` are a
  prefilter (the engine has its own) and `secretGroup` and `allowlist` are not
  converted: the whole match is the value.
- Presidio YAML recognizers (`recognizers:` with `name`, `supported_entity`,
  `patterns: [{name, regex, score}]`, `context`, `supported_language`, `deny_list`):
  patterns become a regex rule, a deny list a dictionary rule, `context` the context
  keywords of that language, and the score the confidence (>= 0.7 high, >= 0.4
  medium, else low).

The result is a rule pack (a dict ready for YAML) that the normal loader validates.
"""

from __future__ import annotations

import re
from typing import Any

from dataclass_scan.errors import ConfigError

_ID_RE = re.compile(r"[^a-z0-9]+")


def _rule_id(prefix: str, name: str) -> str:
    return prefix + "." + (_ID_RE.sub("-", name.lower()).strip("-") or "rule")


def _type(name: str) -> str:
    t = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    return t if t and t[0].isalpha() else f"X_{t}"


def _confidence(score: float) -> str:
    return "high" if score >= 0.7 else "medium" if score >= 0.4 else "low"


def from_gitleaks(text: str, pack: str = "gitleaks-import") -> dict[str, Any]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not a gitleaks TOML file: {exc}") from None
    rules: list[dict[str, Any]] = []
    for r in doc.get("rules", []):
        if "regex" not in r or "id" not in r:
            continue
        rule: dict[str, Any] = {
            "id": _rule_id("gitleaks", str(r["id"])),
            "name": str(r.get("description") or r["id"]),
            "type": _type(str(r["id"])),
            "category": "secret",
            "confidence": "high",
            "patterns": [str(r["regex"])],
        }
        if r.get("entropy"):
            rule["validators"] = ["entropy"]
        rule["description"] = f"Imported from gitleaks rule {r['id']}."
        rules.append(rule)
    if not rules:
        raise ConfigError("no gitleaks [[rules]] with an id and a regex found")
    return {"pack": pack, "description": "Rules imported from a gitleaks configuration.",
            "rules": rules}


def from_presidio(text: str, pack: str = "presidio-import") -> dict[str, Any]:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not a Presidio YAML file: {exc}") from None
    recognizers = doc.get("recognizers") if isinstance(doc, dict) else None
    if not isinstance(recognizers, list):
        raise ConfigError("expected a `recognizers:` list (Presidio YAML recognizers)")
    rules: list[dict[str, Any]] = []
    for rec in recognizers:
        if not isinstance(rec, dict) or not rec.get("supported_entity"):
            continue
        name = str(rec.get("name") or rec["supported_entity"])
        lang = str(rec.get("supported_language") or "en")[:2].lower()
        base: dict[str, Any] = {"type": _type(str(rec["supported_entity"])),
                                "category": "custom"}
        context = [str(w) for w in rec.get("context") or []]
        pats = [p for p in rec.get("patterns") or [] if isinstance(p, dict) and p.get("regex")]
        if pats:
            rule = {"id": _rule_id("presidio", name), "name": name, **base,
                    "confidence": _confidence(max(float(p.get("score", 0.5)) for p in pats)),
                    "patterns": [str(p["regex"]) for p in pats]}
            if context:
                rule["context"] = {"keywords": {lang: context}}
            rule["description"] = f"Imported from Presidio recognizer {name}."
            rules.append(rule)
        deny = [str(w) for w in rec.get("deny_list") or []]
        if deny:
            rules.append({"id": _rule_id("presidio", name + "-deny"), "name": name, **base,
                          "kind": "dictionary", "terms": deny, "confidence": "medium",
                          "description": f"Deny list of Presidio recognizer {name}."})
    if not rules:
        raise ConfigError("no Presidio recognizer with patterns or a deny list found")
    return {"pack": pack, "description": "Rules imported from Presidio YAML recognizers.",
            "rules": rules}
