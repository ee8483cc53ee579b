"""What the scanner sees: run sources and extractors (no detection) and return each
file's extracted text with its locations. Used by `dataclass-scan extract`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataclass_scan.config import Config
from dataclass_scan.errors import BinaryFileError, EncryptedError, UnsupportedError
from dataclass_scan.extract import REGISTRY, ExtractContext, get_extractor, sniff_format
from dataclass_scan.model import Item, Segment, Status


@dataclass(frozen=True, slots=True)
class Extracted:
    path: str
    format: str
    status: Status
    segments: tuple[Segment, ...] = ()
    errors: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def extract_paths(roots: Sequence[str], config: Config) -> Iterator[Extracted]:
    from dataclass_scan.sources import iter_items

    for item in iter_items(list(roots), config):
        yield from extract_item(item, config)


def extract_item(item: Item, config: Config, depth: int = 0) -> Iterator[Extracted]:
    if item.error is not None:
        status = Status.ENCRYPTED if item.source.get("status") == "encrypted" else Status.ERROR
        yield Extracted(item.path, "", status, errors=(item.error,))
        return
    if item.skip_reason is not None:
        yield Extracted(item.path, "", Status.SKIPPED, errors=(item.skip_reason,))
        return
    try:
        with item.open() as fh:
            head = fh.read(8192)
    except OSError as exc:
        yield Extracted(item.path, "", Status.ERROR, errors=(exc.strerror or str(exc),))
        return
    fmt = sniff_format(item, head)
    if fmt not in REGISTRY:
        yield Extracted(item.path, fmt, Status.UNSUPPORTED,
                        errors=(f"no extractor for {fmt} content",))
        return
    ctx = ExtractContext(max_bytes=config.max_file_size, depth=depth, config=config)
    segments: list[Segment] = []
    children: list[Item] = []
    status = Status.SCANNED
    errors: list[str] = []
    try:
        for piece in get_extractor(fmt)(item, ctx):
            if isinstance(piece, Item):
                children.append(piece)
            else:
                segments.append(piece)
    except BinaryFileError as exc:
        status, errors = Status.SKIPPED, [str(exc)]
    except EncryptedError as exc:
        status, errors = Status.ENCRYPTED, [str(exc)]
    except UnsupportedError as exc:
        status, errors = Status.UNSUPPORTED, [str(exc)]
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the listing
        status, errors = Status.ERROR, [f"{type(exc).__name__}: {' '.join(str(exc).split())}"]
    if status is Status.SCANNED and ctx.warnings:
        status = Status.PARTIAL
    yield Extracted(item.path, fmt, status, tuple(segments), (*ctx.warnings, *errors),
                    dict(ctx.metadata))
    for child in children:
        if depth + 1 > config.max_depth:
            yield Extracted(child.path, "", Status.SKIPPED,
                            errors=(f"nested deeper than max-depth {config.max_depth}",))
            continue
        yield from extract_item(child, config, depth + 1)
