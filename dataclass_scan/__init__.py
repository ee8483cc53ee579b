"""dataclass-scan: decide whether data may be handed to an AI tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dataclass_scan.api import scan as scan

__all__ = ["__version__", "scan"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import dataclass_scan` stays cheap for the CLI's --help.
    if name == "scan":
        from dataclass_scan.api import scan

        return scan
    raise AttributeError(name)
