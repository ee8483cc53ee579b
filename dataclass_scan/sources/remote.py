"""Remote object stores through fsspec: `s3://bucket/prefix` (s3fs), `gs://` (gcsfs),
`az://` / `abfs://` (adlfs), each an optional extra (`pip install 'dataclass-scan[s3]'`).

Credentials and endpoints come from the usual environment of each back end: for S3 the
AWS variables, profiles and instance roles, including `AWS_ENDPOINT_URL` (or
`AWS_ENDPOINT_URL_S3`) for S3-compatible stores such as MinIO or Ceph. Objects are read
into memory one at a time, never written to disk; `--include`/`--exclude` apply to the
key below the given prefix and `--max-file-size` to the object size. Nothing is fetched
unless the user names a remote URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dataclass_scan.config import Config
from dataclass_scan.errors import ConfigError
from dataclass_scan.model import Item

REMOTE_URL = re.compile(r"^(?P<proto>[a-z][a-z0-9+.-]*)://(?P<rest>.*)$", re.I)

# URL scheme -> (fsspec protocol, package providing it, extra that installs it)
BACKENDS: dict[str, tuple[str, str, str]] = {
    "s3": ("s3", "s3fs", "s3"),
    "s3a": ("s3", "s3fs", "s3"),
    "gs": ("gcs", "gcsfs", "gcs"),
    "gcs": ("gcs", "gcsfs", "gcs"),
    "az": ("az", "adlfs", "azure"),
    "abfs": ("abfs", "adlfs", "azure"),
    "abfss": ("abfs", "adlfs", "azure"),
}


def is_remote(root: str) -> bool:
    m = REMOTE_URL.match(root)
    return bool(m) and m.group("proto").lower() in BACKENDS  # type: ignore[union-attr]


def filesystem(proto: str) -> Any:
    import importlib

    protocol, package, extra = BACKENDS[proto]
    try:
        importlib.import_module(package)
        import fsspec
    except ImportError:
        raise ConfigError(
            f"{proto}:// needs the optional {package} package: "
            f"pip install 'dataclass-scan[{extra}]'") from None
    options: dict[str, Any] = {"skip_instance_cache": True}
    if protocol == "s3":
        import os

        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["endpoint_url"] = endpoint
    return fsspec.filesystem(protocol, **options)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def iter_remote(root: str, config: Config) -> Iterator[Item]:
    import pathspec

    m = REMOTE_URL.match(root)
    assert m is not None
    proto, rest = m.group("proto").lower(), m.group("rest").rstrip("/")
    fs = filesystem(proto)
    include = pathspec.GitIgnoreSpec.from_lines(config.include) if config.include else None
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude) if config.exclude else None
    try:
        listing: dict[str, dict[str, Any]] = fs.find(rest, detail=True) if rest else {}
        if not listing:
            info = fs.info(rest)
            if info.get("type") == "file":
                listing = {rest: info}
    except FileNotFoundError:
        yield Item(path=root, size=0, error="no such bucket, container or prefix")
        return
    except Exception as exc:  # noqa: BLE001 - credentials, network: report, go on
        yield Item(path=root, size=0, error=f"cannot list: {_reason(exc)}")
        return
    if not listing:
        yield Item(path=root, size=0, skip_reason="no objects under this prefix")
        return
    for key in sorted(listing):
        info = listing[key]
        if info.get("type") == "directory":
            continue
        rel = key[len(rest):].lstrip("/") if key.startswith(rest) else key
        shown = f"{proto}://{key}"
        if exclude is not None and rel and exclude.match_file(rel):
            yield Item(path=shown, size=0, skip_reason="excluded by --exclude")
            continue
        if include is not None and rel and not include.match_file(rel):
            continue
        size = int(info.get("size") or info.get("Size") or 0)
        source = {"remote": proto, "mtime": _mtime(info), "etag": info.get("ETag")}
        if size > config.max_file_size:
            yield Item(path=shown, size=size, source=source, skip_reason=(
                f"larger than --max-file-size ({size} > {config.max_file_size} bytes)"))
            continue
        try:
            data = fs.cat_file(key)
        except Exception as exc:  # noqa: BLE001 - one unreadable object never stops the scan
            yield Item(path=shown, size=size, source=source, error=f"cannot read: {_reason(exc)}")
            continue
        yield Item(path=shown, size=len(data), data=data, source=source)


def _mtime(info: dict[str, Any]) -> float | None:
    value = info.get("LastModified") or info.get("last_modified") or info.get("mtime")
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
