from __future__ import annotations

from pathlib import Path

from dataclass_scan.api import build_context, scan
from dataclass_scan.config import Config
from dataclass_scan.model import Item
from dataclass_scan.runner import process_item
from dataclass_scan.sources.exports import detect_export
from fixtures.formats import (
    SSN,
    confluence_html_members,
    notion_members,
    slack_export_members,
    takeout_members,
    write_zip,
)


def run(path: Path):
    ctx = build_context(Config())
    return {r.path: r for r in process_item(
        Item(path=str(path), size=path.stat().st_size, fs_path=str(path)), ctx)}


def first(result, entity: str):
    return [f for f in result.findings if f.type == entity][0]


def test_detect_export_kinds():
    assert detect_export(slack_export_members("x")) == "slack"
    assert detect_export(takeout_members()) == "google-takeout"
    assert detect_export(notion_members()) == "notion"
    assert detect_export(confluence_html_members()) == "confluence"
    assert detect_export(["a.txt", "b/c.json"]) is None


def test_slack_export_zip_channel_time_author(tmp_path: Path):
    p = write_zip(tmp_path / "slack.zip", slack_export_members(f"my SSN is {SSN}"))
    results = run(p)
    day = results[f"{p}!general/2024-01-15.json"]
    assert day.format == "slack-day"
    hit = first(day, "US_SSN")
    assert hit.location.part == "#general 2024-01-15 10:32:05Z @Jane Doe"
    assert hit.location.line == 2
    other = results[f"{p}!general/2024-01-16.json"]
    assert first(other, "IBAN").location.part == "#general 2024-01-16 10:30:00Z @Max file 1"
    # users.json itself is scanned as JSON (profile e-mails are personal data too).
    assert first(results[f"{p}!users.json"], "EMAIL").location.part == "/0/profile/email"
    assert day.source["export"] == "slack"


def test_slack_export_folder(tmp_path: Path):
    root = tmp_path / "export"
    for name, data in slack_export_members(f"my SSN is {SSN}").items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    result = scan([str(root)], Config(jobs=1))
    day = {f.path: f for f in result.files}[str(root / "general" / "2024-01-15.json")]
    assert day.format == "slack-day"
    assert first(day, "US_SSN").location.part == "#general 2024-01-15 10:32:05Z @Jane Doe"


def test_google_takeout(tmp_path: Path):
    p = write_zip(tmp_path / "takeout-20240101.zip", takeout_members())
    results = run(p)
    mbox = f"{p}!Takeout/Mail/All mail Including Spam and Trash.mbox"
    assert results[mbox].format == "mbox"
    assert first(results[f"{mbox}!msg-1"], "US_SSN").location.part == "body"
    assert first(results[f"{p}!Takeout/Drive/Plans/budget.csv"], "IBAN").location.cell == "B2"
    vcf = results[f"{p}!Takeout/Contacts/All Contacts/All Contacts.vcf"]
    assert vcf.format == "vcard" and first(vcf, "EMAIL").location.part == "card 1"
    assert results[mbox].source["export"] == "google-takeout"


def test_notion_and_confluence(tmp_path: Path):
    n = write_zip(tmp_path / "notion.zip", notion_members())
    results = run(n)
    csv = [r for k, r in results.items() if k.endswith(".csv")][0]
    assert first(csv, "US_SSN").location.cell == "B2"
    md = [r for k, r in results.items() if k.endswith(".md")][0]
    assert md.format == "markdown" and first(md, "EMAIL").location.line == 5
    c = write_zip(tmp_path / "confluence.zip", confluence_html_members())
    results = run(c)
    page = results[f"{c}!SPACE/Runbook_12345.html"]
    assert page.format == "html" and first(page, "AWS_ACCESS_KEY").location.line == 2
