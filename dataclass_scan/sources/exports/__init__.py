"""Recognise exports of whole workspaces inside archives and folders, so their members get
meaningful locations. `detect_export(names)` names the kind from a listing:

- `slack`: Slack workspace export (`channels.json`, `users.json`, `<channel>/<date>.json`);
  day files are read by `slack.py` (channel, date, author and time in each location).
- `google-takeout`: Google Takeout (`Takeout/...`): Gmail `.mbox`, Drive files and
  Contacts `.vcf` are read by the mail, document and vCard extractors.
- `notion`: Notion "Markdown & CSV" export (pages as `.md`, databases as `.csv`, with
  32-hex-digit ids in the names).
- `confluence`: Confluence space export, HTML (`index.html` + pages) or XML
  (`entities.xml`).

Every member of an export is tagged with `source["export"]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SLACK_DAY = re.compile(
    r"^(?:(?P<root>.*/))?(?P<channel>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})\.json$")
_NOTION_ID = re.compile(r" [0-9a-f]{32}$")


def detect_export(names: Iterable[str]) -> str | None:
    listing = [n.replace("\\", "/") for n in names]
    base = {n.rsplit("/", 1)[-1] for n in listing}
    if ("channels.json" in base or "users.json" in base) and any(
            SLACK_DAY.match(n) for n in listing[:5000]):
        return "slack"
    if any(n.startswith("Takeout/") for n in listing[:50]):
        return "google-takeout"
    if "entities.xml" in base and "exportDescriptor.properties" in base:
        return "confluence"
    if any(_NOTION_ID.search(n.rsplit("/", 1)[-1].rsplit(".", 1)[0])
           for n in listing[:500] if n.endswith((".md", ".csv"))):
        return "notion"
    if "index.html" in base and any("/attachments/" in n or n.startswith("attachments/")
                                    for n in listing[:2000]):
        return "confluence"
    return None
