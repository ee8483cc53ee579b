"""Frozen value types that cross pipeline stages. Nothing else lives here."""

from __future__ import annotations

import bisect
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import IO, Any


class Status(str, Enum):
    SCANNED = "scanned"
    PARTIAL = "partial"
    ENCRYPTED = "encrypted"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"
    ERROR = "error"
    TIMEOUT = "timeout"


INCOMPLETE_STATUSES = frozenset(
    {Status.PARTIAL, Status.ENCRYPTED, Status.UNSUPPORTED, Status.ERROR, Status.TIMEOUT}
)


class Confidence(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _CONF_RANK[self]

    def raised(self, steps: int = 1) -> Confidence:
        return _CONF_ORDER[max(0, min(len(_CONF_ORDER) - 1, self.rank + steps))]


_CONF_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
_CONF_ORDER = tuple(Confidence)


class Verdict(str, Enum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]


_VERDICT_RANK = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to scan. `path` is the display path; bytes come from `fs_path` or `data`."""

    path: str
    size: int
    fs_path: str | None = None
    data: bytes | None = None
    source: Mapping[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None
    error: str | None = None
    # Modification time (ns) of `fs_path` as the walk saw it: the incremental-scan cache
    # checks it against its entry without a second stat. None: not known, stat again.
    mtime_ns: int | None = None

    def open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.fs_path is None:
            raise OSError(f"{self.path}: no content")
        return _open_regular(self.fs_path)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]


def _open_regular(path: str) -> IO[bytes]:
    """Open a file that was a regular file when walked. Opened non-blocking and checked
    after opening, so a file swapped for a FIFO or a device after the walk raises
    instead of blocking or reading forever."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(21, "not a regular file any more (changed during the scan)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_LOCATION_KEYS = ("page", "slide", "sheet", "cell", "paragraph", "part", "line", "column")


@dataclass(frozen=True, slots=True)
class Location:
    line: int | None = None
    column: int | None = None
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None
    slide: int | None = None
    paragraph: int | None = None
    part: str | None = None

    def __reduce__(self) -> tuple[type[Location], tuple[Any, ...]]:
        return Location, _LOCATION_STATE(self)  # see Finding.__reduce__

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _LOCATION_KEYS if getattr(self, k) is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Location:
        return cls(**{k: data[k] for k in _LOCATION_KEYS if k in data})

    def render(self) -> str:
        """Human form, appended to a path: `:page 3:line 12` or `!Sheet1!B7`."""
        out = ""
        if self.sheet is not None:
            out += f"!{self.sheet}"
            if self.cell is not None:
                out += f"!{self.cell}"
        for key in ("page", "slide", "part", "paragraph"):
            value = getattr(self, key)
            if value is not None:
                out += f":{key} {value}" if key != "part" else f":{value}"
        if self.line is not None:
            out += f":line {self.line}"
            if self.column is not None:
                out += f":col {self.column}"
        if self.cell is not None and self.sheet is None:
            out += f":cell {self.cell}"
        return out


@dataclass(frozen=True, slots=True)
class Segment:
    """Extracted text with where it came from.

    When `track_lines` is true, offsets inside `text` are turned into line/column
    relative to `location.line` (default 1). `context` carries structural context
    such as a column header or JSON key, which detection treats as nearby words.
    """

    text: str
    location: Location = field(default_factory=Location)
    track_lines: bool = False
    context: str = ""
    # Overlapping chunks of a large file (extract/stream.py): only findings starting in
    # [keep[0], keep[1]) belong to this segment; the neighbour owns the rest.
    keep: tuple[int, int] | None = None

    def locate(self, offset: int, newlines: list[int] | None = None) -> Location:
        if not self.track_lines:
            return self.location
        if newlines is None:
            newlines = newline_index(self.text)
        idx = bisect.bisect_right(newlines, offset - 1)
        line_start = newlines[idx - 1] + 1 if idx > 0 else 0
        return self._at_line(idx, line_start, offset)

    def locate_all(self, offsets: Sequence[int]) -> list[Location]:
        """`locate` for many offsets at once. In ascending order (findings are) it counts
        the newlines between neighbours instead of indexing every newline of the text,
        which cost more than the findings on a long text with few of them."""
        if not self.track_lines:
            return [self.location] * len(offsets)
        text = self.text
        out: list[Location] = []
        idx = pos = line_start = 0
        for offset in offsets:
            if offset < pos:  # not ascending: count again from the start
                idx = pos = line_start = 0
            count = text.count("\n", pos, offset)
            if count:
                idx += count
                line_start = text.rfind("\n", pos, offset) + 1
            pos = offset
            out.append(self._at_line(idx, line_start, offset))
        return out

    def _at_line(self, idx: int, line_start: int, offset: int) -> Location:
        """The location of `offset`, `idx` newlines into the text, its line starting at
        `line_start`."""
        base = self.location.line or 1
        line = base + idx
        column = offset - line_start + 1
        if idx == 0 and self.location.column is not None:
            column += self.location.column - 1
        loc = self.location
        return Location(
            line=line,
            column=column,
            page=loc.page,
            sheet=loc.sheet,
            cell=loc.cell,
            slide=loc.slide,
            paragraph=loc.paragraph,
            part=loc.part,
        )


def newline_index(text: str) -> list[int]:
    out: list[int] = []
    pos = text.find("\n")
    while pos != -1:
        out.append(pos)
        pos = text.find("\n", pos + 1)
    return out


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    type: str
    category: str
    confidence: Confidence
    location: Location
    excerpt: str
    value_hash: str
    value: str = field(default="", repr=False, compare=False)
    start: int = 0
    end: int = 0
    reasons: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Pickled as the constructor's arguments: a large file's findings cross the
        # worker pipe by the ten thousand, and the state functions dataclasses generate
        # for slotted classes look up the fields again for every object (0.8 s in the
        # parent for 19,000 findings; positional, 8x less).
        return Finding, _FINDING_STATE(self)


_LOCATION_STATE = attrgetter(*Location.__match_args__)
_FINDING_STATE = attrgetter(*Finding.__match_args__)


@dataclass(frozen=True, slots=True)
class FindingCount:
    """Findings of one kind that a file had beyond its `--max-findings` list: counted,
    not listed. The key holds everything labels, the verdict and declared markings look
    at, so a file is judged on all its findings whether or not they are listed."""

    rule: str
    type: str
    category: str
    confidence: Confidence
    count: int
    header_footer: bool = False  # a marking in a header or footer (classify/declared.py)
    # Distinct value hashes, at most as many as the labels file's largest `min_distinct`
    # asks for: enough to tell whether any `min_distinct` threshold is met.
    value_hashes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    format: str
    status: Status
    size: int = 0
    sha256: str | None = None
    label: str | None = None
    declared_label: str | None = None
    verdict: Verdict | None = None
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=dict)
    cached: bool = False  # reused from the incremental-scan cache (store/cache.py)
    # Findings beyond `--max-findings`, counted by kind; `findings` lists the first ones.
    omitted: tuple[FindingCount, ...] = ()

    @property
    def findings_omitted(self) -> int:
        """How many findings the file had that `findings` does not list."""
        return sum(c.count for c in self.omitted)

    @property
    def finding_count(self) -> int:
        """Every finding of the file, listed or not."""
        return len(self.findings) + self.findings_omitted

    def type_counts(self) -> dict[str, int]:
        """Findings per entity type, listed or not."""
        out: dict[str, int] = {}
        for x in self.findings:
            out[x.type] = out.get(x.type, 0) + 1
        for c in self.omitted:
            out[c.type] = out.get(c.type, 0) + c.count
        return out


@dataclass(frozen=True, slots=True)
class ScanMeta:
    roots: tuple[str, ...]
    started: str
    finished: str
    destination: str | None
    packs: tuple[str, ...]
    rules_version: str
    pack_digests: tuple[tuple[str, str], ...] = ()  # (pack name, sha256 of its file)
    config_digest: str = ""  # sha256 of the settings that shape results (Config.digest)


@dataclass(frozen=True, slots=True)
class ScanResult:
    files: tuple[FileResult, ...]
    meta: ScanMeta
    suppressed: int = 0  # findings a baseline suppressed (`scan --baseline`)

    @property
    def verdict(self) -> Verdict:
        worst = Verdict.ALLOW
        for f in self.files:
            if f.verdict is not None and f.verdict.rank > worst.rank:
                worst = f.verdict
        return worst

    @property
    def incomplete(self) -> bool:
        return any(f.status in INCOMPLETE_STATUSES for f in self.files)
