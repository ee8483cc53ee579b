"""Paths as text that can be shown, stored and encoded."""

from __future__ import annotations


def printable_path(path: str) -> str:
    """File-name bytes that are not UTF-8 reach Python as lone surrogates, which cannot be
    encoded, printed or stored in SQLite: turn them into `\\xff` escapes. Reading still
    uses the raw path."""
    if path.isascii():  # nearly every path; a flag CPython keeps, no encoding needed
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path
