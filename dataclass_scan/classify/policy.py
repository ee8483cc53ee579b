"""Turn a file's label and findings into an AI-upload verdict for one destination."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dataclass_scan.classify.labels import Destination, LabelPolicy
from dataclass_scan.model import FileResult, Finding, FindingCount, Status, Verdict


def verdict_for(
    policy: LabelPolicy, destination: Destination, label: str, findings: Sequence[Finding],
    omitted: Sequence[FindingCount] = (),
) -> tuple[Verdict, list[str]]:
    kinds = [(f.type, f.category) for f in findings] + [(c.type, c.category) for c in omitted]
    blocked = sorted({t for t, c in kinds if c in destination.block_categories})
    if blocked:
        cats = "/".join(sorted({c for _t, c in kinds if c in destination.block_categories}))
        return Verdict.BLOCK, [
            f"{', '.join(blocked)} found: {cats} data never goes to {destination.name}"
        ]
    rank = policy.rank(label)
    if rank <= policy.rank(destination.allow_up_to):
        return Verdict.ALLOW, []
    if rank <= policy.rank(destination.review_up_to):
        return Verdict.REVIEW, [
            f"{label} is above {destination.allow_up_to} allowed for {destination.name}: "
            "a person must review before upload"
        ]
    return Verdict.BLOCK, [
        f"{label} exceeds {destination.review_up_to}, the most {destination.name} may receive"
    ]


def assess(
    policy: LabelPolicy,
    destination: Destination,
    findings: Sequence[Finding],
    declared_label: str | None = None,
    omitted: Sequence[FindingCount] = (),
) -> tuple[str, Verdict, list[str]]:
    """A file's detected label, its verdict for `destination` and the reasons, noting when
    the content is above the label the file declares. `omitted`: the file's findings
    beyond the listed ones (`--max-findings`), counted."""
    label, reasons = policy.classify(findings, omitted)
    verdict, verdict_reasons = verdict_for(policy, destination, label, findings, omitted)
    reasons = reasons + verdict_reasons
    if declared_label is not None and declared_label in policy.labels:
        if policy.rank(label) > policy.rank(declared_label):
            reasons.append(f"content is {label}, above its declared label {declared_label}")
    return label, verdict, reasons


FAIL_CLOSED_STATUSES = frozenset(
    {Status.ENCRYPTED, Status.UNSUPPORTED, Status.ERROR, Status.TIMEOUT}
)


def fail_closed(files: Sequence[FileResult]) -> tuple[FileResult, ...]:
    """`--fail-closed`: a file that could not be read is blocked, since what cannot be
    read cannot be cleared for upload."""
    out: list[FileResult] = []
    for f in files:
        if f.status in FAIL_CLOSED_STATUSES:
            why = f"could not be scanned ({f.status.value}): blocked by --fail-closed"
            f = dataclasses.replace(f, verdict=Verdict.BLOCK, reasons=(*f.reasons, why))
        out.append(f)
    return tuple(out)
