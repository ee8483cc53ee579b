"""Run the extractors over the shared real-world corpus (`shared/corpus/real`, described
by its MANIFEST.tsv): each file in a forked process with a time limit, so a crash or a
hang is caught and named. Used by tests/test_corpus.py and runnable directly:

    python -m tests.corpus_check [CORPUS_DIR]
"""

from __future__ import annotations

import csv
import multiprocessing
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# A file's password, where MANIFEST.tsv publishes it ('password "x"', 'user pw "x"'), is
# handed over as a user would with --password-file.
_PASSWORD = re.compile(r'(?:password|pw)(?: is [a-z ]+)? "([^"]*)"')
TIME_LIMIT = 60.0


def corpus_dir() -> Path | None:
    """The corpus beside the repository (`../shared/corpus/real`), in a developer's
    worktree or a CI clone that has a copy of shared/ next to it."""
    repo = Path(__file__).resolve().parent.parent
    for base in (repo.parent, repo.parent.parent):
        candidate = base / "shared" / "corpus" / "real"
        if (candidate / "MANIFEST.tsv").is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Outcome:
    path: str
    status: str  # status of the file itself, or "crash" / "hang"
    reason: str
    snippet: str
    found: bool
    seconds: float
    children: int


def manifest(root: Path) -> list[tuple[str, str]]:
    return [(rel, snippet) for rel, snippet, _ in manifest_rows(root)]


def manifest_rows(root: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """(relative path, expected snippet, published passwords) per MANIFEST.tsv row."""
    with (root / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(r["relative_path"], (r.get("expected_text_snippet") or "").strip(),
             tuple(_unescape(x) for x in _PASSWORD.findall(r.get("what_is_special") or "")))
            for r in rows]


def _unescape(text: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _norm(text: str) -> str:
    # Layout whitespace differs between extractors ("à À" vs "àÀ"): compare without it.
    return "".join(unicodedata.normalize("NFKC", text).split())


def _work(path: str, snippet: str, passwords: tuple[str, ...],
          conn) -> None:  # type: ignore[no-untyped-def]
    from dataclass_scan.config import Config
    from dataclass_scan.extract.explain import extract_item
    from dataclass_scan.model import Item

    config = Config(passwords=passwords)
    p = Path(path)
    item = Item(path=path, size=p.stat().st_size, fs_path=path)
    texts: list[str] = []
    first = None
    children = 0
    for x in extract_item(item, config):
        if first is None:
            first = x
        else:
            children += 1
        texts.extend(s.text for s in x.segments)
        texts.append(x.path)  # `extract` lists every member of a container too
        texts.extend(str(v) for v in x.metadata.get("custom_properties", {}).values())
    assert first is not None
    found = not snippet or _norm(snippet) in _norm("\n".join(texts))
    reason = "; ".join(first.errors)[:200]
    conn.send((first.status.value, reason, found, children))
    conn.close()
    import os

    os._exit(0)  # skip interpreter teardown in the forked worker


def check_file(root: Path, rel: str, snippet: str, passwords: tuple[str, ...] = (),
               limit: float = TIME_LIMIT) -> Outcome:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    start = time.monotonic()
    proc = ctx.Process(target=_work, args=(str(root / rel), snippet, passwords, child))
    proc.start()
    child.close()
    got = parent.poll(limit)
    seconds = time.monotonic() - start
    if not got:
        proc.kill()
        proc.join()
        return Outcome(rel, "hang", f"no answer within {limit:.0f}s", snippet, False, seconds, 0)
    try:
        status, reason, found, children = parent.recv()
    except EOFError:
        proc.join()
        return Outcome(rel, "crash", f"worker died (exit {proc.exitcode})", snippet, False,
                       seconds, 0)
    proc.join()
    return Outcome(rel, status, reason, snippet, found, seconds, children)


def run(root: Path, workers: int = 2) -> list[Outcome]:
    from concurrent.futures import ThreadPoolExecutor

    # Import the extractors' libraries once, so each forked worker starts warm.
    import dataclass_scan.extract.explain  # noqa: F401
    for module in ("pypdfium2", "pdfplumber", "docx", "openpyxl", "pptx", "xlrd", "olefile",
                   "msoffcrypto", "striprtf.striprtf", "defusedxml.ElementTree"):
        __import__(module)
    rows = manifest_rows(root)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda row: check_file(root, row[0], row[1], row[2]), rows))


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else corpus_dir()
    if root is None:
        sys.exit("corpus not found")
    outcomes = run(root)
    from collections import Counter

    for o in outcomes:
        flag = "" if o.found else "  SNIPPET MISSING"
        print(f"{o.status:11} {o.seconds:6.2f}s {o.path}  {o.reason[:90]}{flag}")
    print(Counter(o.status for o in outcomes))
    with_snippet = [o for o in outcomes if o.snippet]
    print(f"snippets found: {sum(o.found for o in with_snippet)}/{len(with_snippet)}")


if __name__ == "__main__":
    main()
