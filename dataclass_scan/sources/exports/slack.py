"""Slack workspace export day files (`<channel>/<YYYY-MM-DD>.json`): one segment per
message text, attachment text and file title/preview, located by channel, time and
author: `export.zip!general/2024-01-15.json:#general 2024-01-15 10:32:05Z @Jane Doe`.

Author names come from the export's `users.json` (real name, else display name, else
the user id)."""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dataclass_scan.errors import ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.text import read_text
from dataclass_scan.model import Item, Location, Segment

_MAX_USERS_FILE = 64 * 1024 * 1024


def user_names(users: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(users, list):
        return out
    for user in users:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
        name = (user.get("real_name") or profile.get("real_name")
                or profile.get("display_name") or user.get("name") or user["id"])
        out[user["id"]] = str(name)
    return out


@functools.lru_cache(maxsize=8)
def _users_from_folder(folder: str) -> dict[str, str]:
    path = Path(folder) / "users.json"
    try:
        if path.stat().st_size > _MAX_USERS_FILE:
            return {}
        return user_names(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def is_local_day_file(item: Item) -> bool:
    from dataclass_scan.sources.exports import SLACK_DAY

    if item.fs_path is None or not SLACK_DAY.match("x/" + "/".join(
            Path(item.fs_path).parts[-2:])):
        return False
    root = Path(item.fs_path).parent.parent
    return (root / "channels.json").is_file() or (root / "users.json").is_file()


def _when(ts: Any) -> str:
    try:
        moment = _dt.datetime.fromtimestamp(float(ts), tz=_dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(ts)
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def _author(msg: Mapping[str, Any], users: Mapping[str, str]) -> str:
    profile = msg.get("user_profile")
    if isinstance(profile, dict):
        name = profile.get("real_name") or profile.get("display_name")
        if name:
            return str(name)
    uid = msg.get("user") or msg.get("bot_id") or ""
    return users.get(str(uid)) or str(msg.get("user_name") or msg.get("username") or uid or "?")


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    source = item.source or {}
    channel = source.get("slack_channel")
    users = source.get("slack_users")
    if channel is None and item.fs_path is not None:
        channel = Path(item.fs_path).parent.name
        users = _users_from_folder(str(Path(item.fs_path).parent.parent))
    users = users if isinstance(users, Mapping) else {}
    try:
        messages = json.loads(read_text(item, ctx))
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(messages, list):
        raise ExtractionError("not a Slack day file: expected a list of messages")
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        where = f"#{channel} {_when(msg.get('ts'))} @{_author(msg, users)}"
        if isinstance(msg.get("text"), str) and msg["text"].strip():
            yield Segment(text=msg["text"], location=Location(part=where, line=1),
                          track_lines=True, context="message")
        for n, att in enumerate(msg.get("attachments") or [], start=1):
            if not isinstance(att, dict):
                continue
            for key in ("title", "text", "fallback", "pretext"):
                value = att.get(key)
                if isinstance(value, str) and value.strip() and not (
                        key == "fallback" and value == att.get("text")):
                    yield Segment(text=value, location=Location(
                        part=f"{where} attachment {n}"), context=key)
        for n, f in enumerate(msg.get("files") or [], start=1):
            if not isinstance(f, dict):
                continue
            for key in ("name", "title", "preview", "plain_text"):
                value = f.get(key)
                if isinstance(value, str) and value.strip():
                    yield Segment(text=value, location=Location(part=f"{where} file {n}"),
                                  context=key)
