"""Labels that files declare themselves, mapped onto the taxonomy.

Sources, strongest first:
- Microsoft Information Protection (MIP) labels: `MSIP_Label_<guid>_Name` / `_Enabled` /
  ... in OOXML custom properties (DOCX, XLSX, PPTX), the same keys in a PDF's document
  information dictionary, the `msip_labels` mail header; and the label GUIDs of the newer
  `docMetadata/LabelInfo.xml` part (which holds no names: map GUIDs in `declared_names`).
- Visible markings (`CONFIDENTIAL`, `INTERNAL ONLY`, ...) found in a header or footer.

Metadata comes from `ExtractContext.metadata` (keys documented in extract/__init__.py);
when an extractor did not fill it, OOXML parts and mail headers are read here from the
item's bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataclass_scan.classify.labels import LabelPolicy
from dataclass_scan.model import Finding, FindingCount, Item, Location

_MSIP_KEY = re.compile(r"^/?MSIP_Label_\{?([0-9a-fA-F-]{36})\}?_(\w+)$")
_OOXML_FORMATS = frozenset({"docx", "xlsx", "pptx"})
_MAX_PART = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DeclaredLabel:
    name: str  # as the file declares it (label name, or GUID when no name is known)
    source: str  # "mip" (custom properties), "mip-labelinfo", "pdf", "mail", "marking"
    label: str | None  # the taxonomy label, None when declared_names does not map it
    guid: str | None = None

    def describe(self) -> str:
        kind = {"mip": "MIP label", "mip-labelinfo": "MIP label (LabelInfo.xml)",
                "pdf": "MIP label in PDF metadata", "mail": "MIP label (msip_labels header)",
                "marking": "header/footer marking"}.get(self.source, self.source)
        return f"{kind} {self.name!r}"


def msip_labels(props: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """Enabled MIP labels in a property mapping: [(guid, name or None)]."""
    by_guid: dict[str, dict[str, str]] = {}
    for key, value in props.items():
        m = _MSIP_KEY.match(str(key).strip())
        if m:
            by_guid.setdefault(m.group(1).lower(), {})[m.group(2).lower()] = str(value).strip()
    out = []
    for guid, fields in sorted(by_guid.items()):
        if fields.get("enabled", "true").lower() not in ("true", "1", "yes"):
            continue
        if fields.get("removed", "false").lower() in ("true", "1"):
            continue
        out.append((guid, fields.get("name") or None))
    return out


def label_info_guids(xml: str) -> list[str]:
    """Enabled, not removed label GUIDs in a docMetadata/LabelInfo.xml part."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return []
    out = []
    for el in root.iter():
        if not el.tag.endswith("}label") and el.tag != "label":
            continue
        guid = (el.get("id") or "").strip("{} ").lower()
        if not guid:
            continue
        if el.get("enabled", "1") not in ("1", "true") or el.get("removed", "0") in ("1", "true"):
            continue
        out.append(guid)
    return out


def parse_msip_header(value: str) -> dict[str, str]:
    """`MSIP_Label_<guid>_Enabled=True; MSIP_Label_<guid>_Name=Confidential; ...`"""
    props: dict[str, str] = {}
    for part in value.replace("\n", " ").split(";"):
        key, sep, val = part.strip().partition("=")
        if sep:
            props[key.strip()] = val.strip()
    return props


def _ooxml_metadata(item: Item) -> dict[str, Any]:
    """custom_properties and label_info read straight from an OOXML package."""
    from xml.etree import ElementTree

    out: dict[str, Any] = {}
    try:
        with item.open() as fh, zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            if "docProps/custom.xml" in names and zf.getinfo("docProps/custom.xml").file_size \
                    <= _MAX_PART:
                root = ElementTree.fromstring(zf.read("docProps/custom.xml"))
                out["custom_properties"] = {
                    p.get("name", ""): "".join(p.itertext()).strip() for p in root
                    if p.get("name")}
            if "docMetadata/LabelInfo.xml" in names and \
                    zf.getinfo("docMetadata/LabelInfo.xml").file_size <= _MAX_PART:
                out["label_info"] = zf.read("docMetadata/LabelInfo.xml").decode("utf-8",
                                                                                 "replace")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
        return {}
    return out


def _mail_headers(item: Item) -> dict[str, str]:
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    try:
        with item.open() as fh:
            head = fh.read(256 * 1024)
    except OSError:
        return {}
    msg = BytesHeaderParser(policy=compat32).parsebytes(head)
    return {k: str(v) for k, v in msg.items()}


def _from_mip(policy: LabelPolicy, labels: list[tuple[str, str | None]], source: str,
              names: Mapping[str, str] | None = None) -> list[DeclaredLabel]:
    out = []
    for guid, name in labels:
        name = name or (names or {}).get(guid)
        mapped = (policy.map_declared(name) if name else None) or policy.map_declared(guid)
        out.append(DeclaredLabel(name=name or guid, source=source, label=mapped, guid=guid))
    return out


def in_header_footer(location: Location) -> bool:
    """A finding in a page header or footer: a marking there declares the file's label."""
    part = location.part
    return part is not None and part.split(" ", 1)[0] in ("header", "footer")


def declared_labels(policy: LabelPolicy, fmt: str, metadata: Mapping[str, Any],
                    findings: Sequence[Finding] = (), item: Item | None = None,
                    omitted: Sequence[FindingCount] = ()) -> list[DeclaredLabel]:
    """Every label the file declares (embedded first, then visible markings)."""
    meta: dict[str, Any] = dict(metadata)
    if fmt in _OOXML_FORMATS and "custom_properties" not in meta and item is not None:
        meta.update(_ooxml_metadata(item))
    if "mail_headers" not in meta and item is not None and (
            fmt in ("email", "eml", "mail") or item.name.lower().endswith(".eml")):
        meta["mail_headers"] = _mail_headers(item)
    found: list[DeclaredLabel] = []
    custom = meta.get("custom_properties") or {}
    named = msip_labels(custom)
    found += _from_mip(policy, named, "mip")
    if meta.get("label_info"):
        known = {g for g, _ in named}
        names = {g: n for g, n in named if n}
        extra = [(g, None) for g in label_info_guids(str(meta["label_info"])) if g not in known]
        found += _from_mip(policy, extra, "mip-labelinfo", names)
    pdf = meta.get("pdf_info") or {}
    found += _from_mip(policy, msip_labels(pdf), "pdf")
    headers = meta.get("mail_headers") or {}
    for key, value in headers.items():
        if str(key).lower() == "msip_labels":
            found += _from_mip(policy, msip_labels(parse_msip_header(str(value))), "mail")
    marks = [f for f in findings if f.category == "marking" and in_header_footer(f.location)]
    more = [c for c in omitted if c.header_footer]
    if marks or more:
        label, _ = policy.classify(marks, more)
        if label != policy.default:
            rules = sorted({f.rule for f in marks} | {c.rule for c in more})
            found.append(DeclaredLabel(name=", ".join(rules), source="marking", label=label))
    return found


def declared_label(policy: LabelPolicy, fmt: str, metadata: Mapping[str, Any],
                   findings: Sequence[Finding] = (), item: Item | None = None,
                   omitted: Sequence[FindingCount] = ()) -> tuple[str | None, list[str]]:
    """The file's declared taxonomy label (embedded MIP labels win over visible markings;
    the highest of several) and notes for the reasons (e.g. an unmapped label name)."""
    found = declared_labels(policy, fmt, metadata, findings, item, omitted)
    notes = [f"declares {d.describe()}, which declared_names in the labels file does not "
             "map" for d in found if d.label is None]
    embedded = [d for d in found if d.label is not None and d.source != "marking"]
    pool = embedded or [d for d in found if d.label is not None]
    if not pool:
        return None, notes
    best = max(pool, key=lambda d: policy.rank(d.label or policy.default))
    return best.label, notes
