"""Sources produce Items. `iter_items` picks the source for each root."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dataclass_scan.config import Config
from dataclass_scan.model import Item


def iter_items(roots: Sequence[str], config: Config) -> Iterator[Item]:
    from dataclass_scan.sources.local import iter_local
    from dataclass_scan.sources.remote import is_remote

    for root in roots:
        if is_remote(root):
            from dataclass_scan.sources.remote import iter_remote

            yield from iter_remote(root, config)
            continue
        yield from iter_local(root, config)
