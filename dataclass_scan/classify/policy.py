"""Turn a file's label and findings into an AI-upload verdict for one destination."""

from __future__ import annotations

from collections.abc import Sequence

from dataclass_scan.classify.labels import Destination, LabelPolicy
from dataclass_scan.model import Finding, Verdict


def verdict_for(
    policy: LabelPolicy, destination: Destination, label: str, findings: Sequence[Finding]
) -> tuple[Verdict, list[str]]:
    blocked = sorted({f.type for f in findings if f.category in destination.block_categories})
    if blocked:
        cats = "/".join(sorted({f.category for f in findings
                                 if f.category in destination.block_categories}))
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
