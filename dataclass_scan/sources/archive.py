"""Archives: zip, tar (plain, gz, bz2, xz), and single gzip/bzip2/xz streams.

Members are read into memory, never extracted to disk, and yielded as child `Item`s
(`outer.zip!inner/file.pdf`); the runner scans them, recursing into nested archives up
to `--max-depth`. Limits against archive bombs -- total unpacked bytes, number of
members, compression ratio -- come from the config; a limit that trips is reported on
the archive (status `partial`, with the reason) and the scan goes on. Member names are
only ever display names: absolute paths, drive letters and `..` parts are dropped.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from dataclass_scan.errors import ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Segment

# Ratios are only checked for members larger than this: small files compress wildly.
RATIO_MIN_SIZE = 1024 * 1024
_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_total: int
    max_entries: int
    max_ratio: int
    max_member: int

    @classmethod
    def of(cls, ctx: ExtractContext) -> Limits:
        from dataclass_scan.config import Config

        config = ctx.config or Config()
        return cls(
            max_total=config.archive_max_total,
            max_entries=config.archive_max_entries,
            max_ratio=config.archive_max_ratio,
            max_member=min(config.max_file_size, config.archive_max_total),
        )


class LimitTripped(Exception):
    """An archive limit was reached; the message says which."""


def safe_member_name(name: str) -> str:
    """A display name that cannot climb out of its archive: no root, drive or `..`."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", ".", ".."):
            continue
        if len(part) == 2 and part[1] == ":" and not parts:
            continue  # a Windows drive letter
        parts.append(part)
    return "/".join(parts) or "(unnamed)"


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.entries = 0

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise LimitTripped(
                f"archive limit: more than {self.limits.max_entries} members "
                "(archive-max-entries); the rest were not scanned"
            )

    def read(self, fh: IO[bytes], declared: int | None = None) -> bytes:
        """Read one member, stopping at the member and total limits whatever its header says."""
        room = self.limits.max_total - self.total
        cap = min(room, self.limits.max_member)
        out = bytearray()
        while True:
            chunk = fh.read(min(_READ_CHUNK, cap + 1 - len(out)))
            if not chunk:
                break
            out += chunk
            if len(out) > cap:
                if cap == room:
                    raise LimitTripped(
                        f"archive limit: more than {self.limits.max_total} bytes unpacked "
                        "(archive-max-total); the rest were not scanned"
                    )
                raise _MemberTooLarge(declared or len(out))
        self.total += len(out)
        return bytes(out)


class _MemberTooLarge(Exception):
    pass


def _child(item: Item, name: str, original: str, **kwargs: Any) -> Item:
    source: dict[str, Any] = {"container": item.path, "member": original}
    source.update(kwargs.pop("source", {}))
    return Item(path=f"{item.path}!{safe_member_name(name)}", source=source, **kwargs)


def _too_large(item: Item, name: str, size: int, limits: Limits) -> Item:
    return _child(item, name, name, size=size, skip_reason=(
        f"archive member larger than the size limit ({size} > {limits.max_member} bytes)"))


def _read_whole(item: Item, limit: int) -> bytes:
    with item.open() as fh:
        return fh.read(limit)


# ---------------------------------------------------------------- zip


def extract_zip(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    limits = Limits.of(ctx)
    budget = _Budget(limits)
    try:
        fh = item.open()
    except OSError as exc:
        raise ExtractionError(exc.strerror or str(exc)) from None
    with fh:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise ExtractionError(f"corrupt zip archive: {exc}") from None
        with zf:
            try:
                yield from _zip_members(item, zf, ctx, limits, budget)
            except LimitTripped as exc:
                ctx.warn(str(exc))


def _export_tags(zf: zipfile.ZipFile, ctx: ExtractContext) -> Any:
    """A function member-name -> extra source fields, for a recognised workspace export."""
    from dataclass_scan.sources.exports import SLACK_DAY, detect_export

    kind = detect_export(zf.namelist())
    if kind is None:
        return lambda name, data: {}
    ctx.metadata["export"] = kind
    users: dict[str, str] = {}
    if kind == "slack":
        import json

        from dataclass_scan.sources.exports.slack import user_names

        for info in zf.infolist():
            if info.filename.rsplit("/", 1)[-1] == "users.json" and info.file_size < 64 << 20:
                try:
                    users = user_names(json.loads(zf.read(info).decode("utf-8", "replace")))
                except (ValueError, OSError, zipfile.BadZipFile, RuntimeError):
                    users = {}
                break

    def tags(name: str, data: bytes) -> dict[str, Any]:
        out: dict[str, Any] = {"export": kind}
        if kind == "slack":
            m = SLACK_DAY.match(name)
            if m:
                import re

                # Only the names this day file refers to travel with it.
                ids = set(re.findall(rb'"user"\s*:\s*"([A-Za-z0-9]+)"', data))
                out.update(format="slack-day", slack_channel=m.group("channel"),
                           slack_date=m.group("date"),
                           slack_users={k.decode(): users[k.decode()] for k in ids
                                        if k.decode() in users})
        return out

    return tags


def _zip_members(item: Item, zf: zipfile.ZipFile, ctx: ExtractContext, limits: Limits,
                 budget: _Budget) -> Iterator[Item]:
    aes: Any = None
    tags = _export_tags(zf, ctx)
    for info in zf.infolist():
        if info.is_dir():
            continue
        budget.count_entry()
        name = member_name(info)
        if info.file_size > limits.max_member:
            yield _too_large(item, name, info.file_size, limits)
            continue
        if (info.file_size > RATIO_MIN_SIZE and info.compress_size > 0
                and info.file_size / info.compress_size > limits.max_ratio):
            ratio = info.file_size // info.compress_size
            ctx.warn(f"archive limit: member {safe_member_name(name)} compresses {ratio}:1 "
                     f"(archive-max-ratio {limits.max_ratio}); not unpacked")
            yield _child(item, name, name, size=info.file_size, skip_reason=(
                f"compression ratio {ratio}:1 exceeds archive-max-ratio {limits.max_ratio} "
                "(possible zip bomb)"))
            continue
        encrypted = bool(info.flag_bits & 0x1)
        if encrypted:
            if aes is None:
                aes = _open_aes(item)
            data = _read_encrypted(zf, aes, info, ctx.passwords, budget)
            if data is None:
                yield _child(item, name, name, size=info.file_size,
                             error="encrypted archive member: no password opened it",
                             source={"status": "encrypted"})
                continue
        else:
            try:
                with zf.open(info) as member:
                    data = budget.read(member, info.file_size)
            except LimitTripped:
                raise
            except _MemberTooLarge as exc:
                yield _too_large(item, name, int(str(exc.args[0])), limits)
                continue
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                    ValueError) as exc:
                # zlib.error is raised as zipfile.BadZipFile or via OSError subclasses.
                yield _child(item, name, name, size=info.file_size,
                             error=f"unreadable archive member: {_reason(exc)}")
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. zlib.error on a corrupt stream
                yield _child(item, name, name, size=info.file_size,
                             error=f"unreadable archive member: {_reason(exc)}")
                continue
        yield _child(item, name, name, size=len(data), data=data,
                     source={"mtime_archive": "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(
                         *info.date_time), **tags(name, data)})


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; names without the UTF-8 flag that zipfile read as cp437 are
    decoded as UTF-8 or Shift-JIS (cp932) when their bytes are valid in it."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _open_aes(item: Item) -> Any:
    """pyzipper reads AES-encrypted members (WinZip AE-1/AE-2) that zipfile cannot."""
    try:
        import pyzipper
    except ImportError:  # pragma: no cover - pyzipper is a dependency
        return False
    try:
        return pyzipper.AESZipFile(io.BytesIO(_read_whole(item, -1)))
    except Exception:  # noqa: BLE001 - fall back to zipfile alone
        return False


def _read_encrypted(zf: zipfile.ZipFile, aes: Any, info: zipfile.ZipInfo,
                    passwords: tuple[str, ...], budget: _Budget) -> bytes | None:
    for password in passwords:
        for reader in (zf, aes or None):
            if reader is None:
                continue
            try:
                with reader.open(info.filename, pwd=password.encode("utf-8")) as member:
                    return budget.read(member, info.file_size)
            except (LimitTripped, _MemberTooLarge):
                raise
            except Exception:  # noqa: BLE001, S112 - wrong password: try the next one
                continue
    return None


# ---------------------------------------------------------------- tar


def extract_tar(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    try:
        fh = item.open()
    except OSError as exc:
        raise ExtractionError(exc.strerror or str(exc)) from None
    with fh:
        yield from _tar_members(item, fh, ctx)


def _tar_members(item: Item, fh: IO[bytes], ctx: ExtractContext) -> Iterator[Item]:
    limits = Limits.of(ctx)
    budget = _Budget(limits)
    try:
        tf = tarfile.open(fileobj=fh, mode="r|*")  # streamed: members in order, no seeking
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExtractionError(f"corrupt tar archive: {_reason(exc)}") from None
    with tf:
        try:
            for info in _tar_iter(tf, ctx):
                if info.isdir():
                    continue
                budget.count_entry()
                name = info.name
                if not info.isfile():
                    kind = "link" if info.issym() or info.islnk() else "special file"
                    yield _child(item, name, name, size=0,
                                 skip_reason=f"{kind} inside archive: not followed")
                    continue
                if info.size > limits.max_member:
                    yield _too_large(item, name, info.size, limits)
                    continue
                member = tf.extractfile(info)
                if member is None:
                    continue
                try:
                    data = budget.read(member, info.size)
                except _MemberTooLarge:
                    yield _too_large(item, name, info.size, limits)
                    continue
                yield _child(item, name, name, size=len(data), data=data,
                             source={"mtime": float(info.mtime)})
        except LimitTripped as exc:
            ctx.warn(str(exc))
        except (tarfile.TarError, OSError, EOFError) as exc:
            ctx.warn(f"archive truncated or corrupt after some members: {_reason(exc)}")


def _tar_iter(tf: tarfile.TarFile, ctx: ExtractContext) -> Iterator[tarfile.TarInfo]:
    while True:
        info = tf.next()
        if info is None:
            return
        yield info


# ---------------------------------------------------------------- gzip / bzip2 / xz


def _decompressor(fmt_head: bytes) -> tuple[str, Any]:
    import bz2
    import gzip
    import lzma

    if fmt_head.startswith(b"\x1f\x8b"):
        return "gz", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")
    if fmt_head.startswith(b"BZh"):
        return "bz2", bz2.BZ2File
    if fmt_head.startswith(b"\xfd7zXZ\x00"):
        return "xz", lzma.LZMAFile
    raise ExtractionError("not a gzip, bzip2 or xz stream")


def _inner_name(item: Item, suffix: str, head: bytes) -> str:
    name = item.name
    if suffix == "gz" and len(head) > 10 and head[3] & 0x08:  # FNAME in the gzip header
        start = 10 + (2 + int.from_bytes(head[10:12], "little") if head[3] & 0x04 else 0)
        end = head.find(b"\x00", start)
        if end > start:
            return head[start:end].decode("latin-1")
    low = name.lower()
    if low.endswith(".tgz"):
        return name[:-4] + ".tar"
    for ext in (".gz", ".bz2", ".xz", ".gzip"):
        if low.endswith(ext):
            return name[: -len(ext)]
    return name + ".out"


def extract_compressed(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    limits = Limits.of(ctx)
    try:
        with item.open() as raw:
            head = raw.read(1024)
    except OSError as exc:
        raise ExtractionError(exc.strerror or str(exc)) from None
    suffix, opener = _decompressor(head)
    cap = min(limits.max_total, limits.max_member)
    try:
        with item.open() as raw, opener(raw) as stream:
            # A compressed tar is streamed member by member, never unpacked whole.
            peek = stream.peek(512) if hasattr(stream, "peek") else b""
            if len(peek) >= 262 and peek[257:262] == b"ustar":
                yield from _tar_members(item, stream, ctx)
                return
            data = stream.read(cap + 1)
    except (OSError, EOFError, ValueError) as exc:
        raise ExtractionError(f"corrupt {suffix} stream: {_reason(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - lzma.LZMAError and friends
        raise ExtractionError(f"corrupt {suffix} stream: {_reason(exc)}") from None
    name = _inner_name(item, suffix, head)
    if len(data) > cap:
        ctx.warn(f"archive limit: unpacks to more than {cap} bytes; not scanned")
        yield Item(path=f"{item.path}!{safe_member_name(name)}", size=len(data),
                   source={"container": item.path},
                   skip_reason=f"unpacks to more than {cap} bytes (archive limit)")
        return
    if item.size and len(data) > RATIO_MIN_SIZE and len(data) / item.size > limits.max_ratio:
        ctx.warn(f"archive limit: compresses {len(data) // item.size}:1 "
                 f"(archive-max-ratio {limits.max_ratio}); not scanned")
        return
    yield Item(path=f"{item.path}!{safe_member_name(name)}", size=len(data), data=data,
               source={"container": item.path})
