"""Ranking and bounding: what a maintainer reads first, and how much they are asked to read.

A finding's weight is its confidence times its kind's impact (each rule's ``impact``
parameter: a phantom dependency breaks the merged code, a duplicate costs maintenance);
bigger duplicated code weighs more. Open, verified findings come first, then candidates,
then what was resolved since. Each kind keeps its own numbering (``DUP-1``...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from idealize.analyze.params import param
from idealize.analyze.rules import RULES, rule
from idealize.types import FINDING_KINDS, Finding


@dataclass(frozen=True)
class RankParams:
    size_weight: float = param(
        0.3,
        "up to this much extra weight for a finding over long code (a 60-line copy "
        "costs more than a 6-line one)",
    )
    size_lines: int = param(60, "lines of code at which the size weight is full")
    max_per_100_branches: int = param(
        15,
        "verified findings reported per 100 lines of work at most; the rest, lowest ranked "
        "first, become candidates: a plan nobody reads to the end helps nobody",
    )
    min_reported: int = param(
        10, "a short history (a handful of branches) still shows up to this many findings"
    )


def weight(f: Finding, params: Mapping[str, Any], rank: RankParams = RankParams()) -> float:
    impact = float(getattr(params.get(f.kind) or rule(f.kind).params, "impact", 0.5))
    lines = max(
        ((loc.end_line or 0) - (loc.start_line or 0) + 1 for loc in f.locations if loc.start_line),
        default=1,
    )
    size = rank.size_weight * min(1.0, lines / rank.size_lines)
    return f.confidence * impact * (1.0 + size)


def _tier(f: Finding) -> int:
    if f.status != "open":
        return 2
    return 0 if f.tier == "finding" else 1


def rank(
    findings: Sequence[Finding],
    branches: int,
    params: Mapping[str, Any] | None = None,
    bounds: RankParams = RankParams(),
) -> list[Finding]:
    """Number, rank and bound the findings (ids per kind, rank 1 = read first)."""
    params = params or {r.kind: r.params for r in RULES}
    cap = max(bounds.min_reported, bounds.max_per_100_branches * max(branches, 1) // 100)
    ordered = sorted(
        findings,
        key=lambda f: (
            _tier(f),
            -weight(f, params, bounds),
            FINDING_KINDS.index(f.kind),
            [(loc.path, loc.symbol or "") for loc in f.locations],
        ),
    )
    bounded: list[Finding] = []
    verified = 0
    for f in ordered:
        if _tier(f) == 0:
            verified += 1
            if verified > cap:
                f = replace(
                    f,
                    tier="candidate",
                    evidence=(
                        *f.evidence,
                        f"ranked below the {cap} findings reported for {branches} lines of work",
                    ),
                )
        bounded.append(f)
    bounded.sort(key=lambda f: (_tier(f), -weight(f, params, bounds)))
    counters: dict[str, int] = {}
    out = []
    for n, f in enumerate(bounded, start=1):
        counters[f.kind] = counters.get(f.kind, 0) + 1
        out.append(replace(f, id=f"{rule(f.kind).prefix}-{counters[f.kind]}", rank=n))
    return out
