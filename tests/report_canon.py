"""One canonical ScanResult, built by hand, that every report format is rendered from.

Deterministic on purpose (fixed paths, times, hashes) so golden files never drift. It
covers every location kind, every status, an archive member, a path with a comma and a
quote, a file named like a spreadsheet formula and excerpts that start like one.
"""

from __future__ import annotations

import hashlib

from dataclass_scan.model import (
    Confidence,
    FileResult,
    Finding,
    Location,
    ScanMeta,
    ScanResult,
    Status,
    Verdict,
)

# Raw values that must never appear in a report rendered without --show-values.
RAW_VALUES = {
    "US_SSN": "536-22-8145",
    "EMAIL": "jane.doe@acme-corp.com",
    "CREDIT_CARD": "4539 1488 0343 6467",
    "AWS_ACCESS_KEY": "AKIA2OGYBAH6STMJ5Q7X",
    "IBAN": "DE12 5001 0517 0648 4898 90",
    "PHONE": "+44 20 7946 0958",
}


def _h(text: str) -> str:
    return "hmac-sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _f(rule: str, etype: str, category: str, conf: str, loc: Location, excerpt: str) -> Finding:
    return Finding(rule=rule, type=etype, category=category, confidence=Confidence(conf),
                   location=loc, excerpt=excerpt, value_hash=_h(etype + RAW_VALUES[etype]),
                   value=RAW_VALUES[etype])


def canonical_scan() -> ScanResult:
    sha = hashlib.sha256
    files = (
        FileResult(
            path="data/hr/payroll.xlsx", format="xlsx", status=Status.SCANNED, size=18234,
            sha256=sha(b"payroll").hexdigest(), label="Restricted", verdict=Verdict.BLOCK,
            reasons=("US_SSN (high) x2 makes it Restricted",
                     "Restricted is above what public-ai allows"),
            findings=(
                _f("us.ssn", "US_SSN", "pii", "high", Location(sheet="Staff", cell="B2"),
                   "Jane Doe | ***-**-8145 | Finance"),
                _f("us.ssn", "US_SSN", "pii", "high", Location(sheet="Staff", cell="B3"),
                   "-**-8145 in row 3"),
                _f("iban", "IBAN", "financial", "medium", Location(sheet="Bank", cell="C7"),
                   "=HYPERLINK(\"x\") IBAN DE** **** **** **** **** 90"),
            ),
            source={"owner": "alice"},
        ),
        FileResult(
            path="data/notes/meeting-notes.txt", format="text", status=Status.SCANNED,
            size=912, sha256=sha(b"notes").hexdigest(), label="Restricted",
            verdict=Verdict.BLOCK,
            reasons=("AWS_ACCESS_KEY is a secret: always blocked",),
            findings=(
                _f("email", "EMAIL", "pii", "high", Location(line=3, column=14),
                   "contact j*******@acme-corp.com for access"),
                _f("aws.access_key", "AWS_ACCESS_KEY", "secret", "high",
                   Location(line=7, column=22), "deploy key ****************5Q7X <b>ok</b>"),
                _f("phone", "PHONE", "pii", "low", Location(line=9, column=1),
                   "+** ** **** 0958 call back"),
            ),
            source={"owner": "bob"},
        ),
        FileResult(
            path="data/finance/statement.pdf", format="pdf", status=Status.SCANNED, size=4410,
            sha256=sha(b"statement").hexdigest(), label="Restricted", verdict=Verdict.BLOCK,
            reasons=("CREDIT_CARD (high) makes it Restricted",),
            findings=(
                _f("credit_card", "CREDIT_CARD", "financial", "high",
                   Location(page=2, line=1, column=15), "Card: **** **** **** 6467"),
            ),
        ),
        FileResult(
            path="data/export.zip!crm/contacts.json", format="json", status=Status.SCANNED,
            size=301, sha256=sha(b"contacts").hexdigest(), label="Internal",
            verdict=Verdict.REVIEW, reasons=("EMAIL (high) makes it Internal",),
            findings=(
                _f("email", "EMAIL", "pii", "high", Location(part="/customers/0/email"),
                   "j*******@acme-corp.com"),
            ),
        ),
        FileResult(
            path="data/legal/contract, \"final\".docx", format="docx", status=Status.PARTIAL,
            size=5120, sha256=sha(b"contract").hexdigest(), label="Internal",
            verdict=Verdict.REVIEW, reasons=("EMAIL (medium) makes it Internal",),
            findings=(
                _f("email", "EMAIL", "pii", "medium", Location(paragraph=4),
                   "Signed by j*******@acme-corp.com"),
            ),
            errors=("header 2: unreadable",),
        ),
        FileResult(
            path="data/=cmd|' /C calc'!A0.csv", format="csv", status=Status.SCANNED, size=40,
            sha256=sha(b"formula").hexdigest(), label="Public", verdict=Verdict.ALLOW,
        ),
        FileResult(
            path="data/docs/release-notes.md", format="text", status=Status.SCANNED, size=220,
            sha256=sha(b"release").hexdigest(), label="Public", verdict=Verdict.ALLOW,
        ),
        FileResult(path="data/vault.pdf", format="pdf", status=Status.ENCRYPTED, size=800,
                   sha256=sha(b"vault").hexdigest(),
                   errors=("encrypted PDF: no password given",)),
        FileResult(path="data/big.iso", format="", status=Status.SKIPPED, size=3_000_000_000,
                   reasons=("larger than --max-file-size 100MB",)),
        FileResult(path="data/broken.xlsx", format="xlsx", status=Status.ERROR, size=12,
                   sha256=sha(b"broken").hexdigest(),
                   errors=("BadZipFile: File is not a zip file",)),
    )
    meta = ScanMeta(roots=("data",), started="2026-01-02T03:04:05+00:00",
                    finished="2026-01-02T03:04:09+00:00", destination="public-ai",
                    packs=("pii-core", "secrets", "markings"), rules_version="0123456789abcdef",
                    pack_digests=tuple((n, sha(n.encode()).hexdigest())
                                       for n in ("pii-core", "secrets", "markings")),
                    config_digest=sha(b"config").hexdigest())
    return ScanResult(files=files, meta=meta)
