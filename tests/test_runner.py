from __future__ import annotations

import dataclasses
from pathlib import Path

from dataclass_scan.api import build_context
from dataclass_scan.config import Config
from dataclass_scan.model import Item, Location, Segment, Status
from dataclass_scan.runner import process_item


def test_container_children_are_scanned_recursively_up_to_max_depth(tmp_path: Path,
                                                                    monkeypatch):
    outer = tmp_path / "box.txt"
    outer.write_text("container\n")

    def fake_extractor(item, xctx):
        with item.open() as fh:
            yield Segment(text=fh.read().decode(), location=Location(line=1), track_lines=True)
        yield Item(path=f"{item.path}!child-{xctx.depth + 1}.txt", size=10,
                   data=b"mail me at jane.doe@acme-corp.com\n")

    monkeypatch.setattr("dataclass_scan.runner.get_extractor", lambda fmt: fake_extractor)
    ctx = build_context(Config(max_depth=2))
    results = process_item(Item(path=str(outer), size=10, fs_path=str(outer)), ctx)
    paths = [r.path for r in results]
    assert paths == [str(outer), f"{outer}!child-1.txt", f"{outer}!child-1.txt!child-2.txt",
                     f"{outer}!child-1.txt!child-2.txt!child-3.txt"]
    assert [r.status for r in results] == [Status.SCANNED] * 3 + [Status.SKIPPED]
    assert "max-depth 2" in results[-1].reasons[0]
    assert results[1].findings[0].type == "EMAIL"
    ctx0 = dataclasses.replace(ctx, config=Config(max_depth=0))
    assert [r.status for r in process_item(Item(path=str(outer), size=10,
                                                fs_path=str(outer)), ctx0)] == [
        Status.SCANNED, Status.SKIPPED]


def test_findings_hold_no_plaintext_value_unless_shown(tmp_path):
    """Values stay out of memory and worker pipes by default; --show-values keeps them."""
    from dataclass_scan import scan
    from dataclass_scan.config import Config

    (tmp_path / "a.txt").write_text("SSN: 536-22-8145 and jane.doe@acme-corp.com\n")
    for jobs in (1, 2):
        hidden = scan([str(tmp_path)], Config(jobs=jobs, cache=False)).files[0].findings
        assert hidden and all(f.value == "" for f in hidden)
        shown = scan([str(tmp_path)], Config(jobs=jobs, cache=False, show_values=True))
        assert {"536-22-8145", "jane.doe@acme-corp.com"} <= {f.value for f in
                                                              shown.files[0].findings}
