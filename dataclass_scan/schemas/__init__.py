"""JSON Schemas shipped with the package (`report-v1.schema.json`)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

REPORT_V1 = "report-v1.schema.json"


@lru_cache(maxsize=4)
def load_schema(name: str = REPORT_V1) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
