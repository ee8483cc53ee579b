"""Walk local file trees: ignore files, include/exclude globs, size limit, symlinks.

Every path the walk meets ends up as an Item: scannable, skipped with a reason, or an
error. Nothing is dropped silently; only `.git` metadata folders are passed over.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dataclass_scan.config import Config
from dataclass_scan.model import Item
from dataclass_scan.paths import printable_path

if TYPE_CHECKING:
    import pathspec

IGNORE_FILES = (".gitignore", ".dataclassignore")
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class _IgnoreLayer:
    base: str  # relative dir (posix, "" for root)
    spec: pathspec.GitIgnoreSpec
    source: str


def _spec(lines: list[str] | tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    # Imported on first use: a tree without ignore files or globs never needs pathspec,
    # and importing it costs a short run (a pre-commit hook, a warm rescan) about 15 ms.
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _read_layers(directory: Path, rel: str) -> list[_IgnoreLayer]:
    layers: list[_IgnoreLayer] = []
    for name in IGNORE_FILES:
        f = directory / name
        try:
            lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            continue
        except OSError:
            continue
        layers.append(
            _IgnoreLayer(rel, _spec(lines), f"{rel}/{name}".lstrip("/"))
        )
    return layers


def _ignored_by(layers: list[_IgnoreLayer], rel: str, is_dir: bool) -> str | None:
    """Return the ignore file that excludes `rel`, honouring negation (last match wins)."""
    verdict: str | None = None
    for layer in layers:
        sub = rel[len(layer.base) + 1 :] if layer.base else rel
        if is_dir:
            sub += "/"
        res = layer.spec.check_file(sub)
        if res.include is True:
            verdict = layer.source
        elif res.include is False:
            verdict = None
    return verdict


def _display(root_display: str, rel: str) -> str:
    if not rel:
        return printable_path(root_display)
    joined = f"{root_display.rstrip('/')}/{rel}" if root_display not in (".", "") else rel
    return printable_path(joined)


def iter_local(root: str, config: Config) -> Iterator[Item]:
    path = Path(root)
    include = _spec(config.include) if config.include else None
    exclude = _spec(config.exclude) if config.exclude else None
    try:
        st = path.stat() if config.follow_symlinks or not path.is_symlink() else path.lstat()
    except FileNotFoundError:
        yield Item(path=root, size=0, error="no such file or directory")
        return
    except OSError as exc:
        yield Item(path=root, size=0, error=_oserror(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        visited: set[tuple[int, int]] = {(st.st_dev, st.st_ino)}
        layers = _read_layers(path, "") if config.use_ignore_files else []
        yield from _walk(path, root, "", layers, include, exclude, config, visited)
    else:
        # An explicitly named file is scanned even if an ignore file would skip it.
        yield _file_item(path, printable_path(root), st, config)


def _walk(
    directory: Path,
    root_display: str,
    rel: str,
    layers: list[_IgnoreLayer],
    include: pathspec.GitIgnoreSpec | None,
    exclude: pathspec.GitIgnoreSpec | None,
    config: Config,
    visited: set[tuple[int, int]],
) -> Iterator[Item]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield Item(path=_display(root_display, rel) + "/", size=0, error=_oserror(exc))
        return
    for entry in entries:
        child_rel = f"{rel}/{entry.name}" if rel else entry.name
        shown = _display(root_display, child_rel)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=config.follow_symlinks)
        except OSError as exc:
            yield Item(path=shown, size=0, error=_oserror(exc))
            continue
        if is_dir and entry.name in ALWAYS_SKIPPED_DIRS:
            continue
        ignored = _ignored_by(layers, child_rel, is_dir)
        if ignored:
            yield Item(path=shown + ("/" if is_dir else ""), size=0,
                       skip_reason=f"ignored by {ignored}")
            continue
        if exclude is not None and exclude.match_file(child_rel + ("/" if is_dir else "")):
            yield Item(path=shown + ("/" if is_dir else ""), size=0,
                       skip_reason="excluded by --exclude")
            continue
        if is_link and not config.follow_symlinks:
            yield Item(path=shown, size=0,
                       skip_reason="symbolic link not followed (use --follow-symlinks)")
            continue
        if is_dir:
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                yield Item(path=shown + "/", size=0, error=_oserror(exc))
                continue
            key = (st.st_dev, st.st_ino)
            if key in visited:
                yield Item(path=shown + "/", size=0,
                           skip_reason="symbolic link loop: directory already visited")
                continue
            visited.add(key)
            child_layers = layers
            if config.use_ignore_files:
                child_layers = layers + _read_layers(Path(entry.path), child_rel)
            yield from _walk(Path(entry.path), root_display, child_rel, child_layers,
                             include, exclude, config, visited)
            continue
        if include is not None and not include.match_file(child_rel):
            continue  # outside the requested --include scope
        try:
            st = entry.stat(follow_symlinks=True)
        except FileNotFoundError:
            yield Item(path=shown, size=0, error="broken symbolic link or file vanished")
            continue
        except OSError as exc:
            yield Item(path=shown, size=0, error=_oserror(exc))
            continue
        # entry.path, not a Path: the same string, without building an object per file.
        yield _file_item(entry.path, shown, st, config)


def _file_item(path: str | Path, shown: str, st: os.stat_result, config: Config) -> Item:
    source = {"mtime": st.st_mtime, "owner_uid": st.st_uid}
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "fifo" if stat.S_ISFIFO(st.st_mode)
            else "socket" if stat.S_ISSOCK(st.st_mode)
            else "device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "special file"
        )
        return Item(path=shown, size=0, source=source, skip_reason=f"not a regular file ({kind})")
    if st.st_size > config.max_file_size:
        return Item(
            path=shown, size=st.st_size, fs_path=str(path), source=source,
            skip_reason=(
                f"larger than --max-file-size ({st.st_size} > {config.max_file_size} bytes)"
            ),
        )
    # The walk's stat travels with the item: the cache compares it with its entry
    # instead of asking the file system a second time.
    return Item(path=shown, size=st.st_size, fs_path=str(path), source=source,
                mtime_ns=st.st_mtime_ns)


def _oserror(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
