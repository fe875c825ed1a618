"""The ``--fail-on`` gate: which findings make ``cleanup`` (or the pre-push hook) exit 1."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from idealize.analyze.rules import RULES
from idealize.errors import UsageError
from idealize.types import Finding, FindingKind


def parse_kinds(text: str | Iterable[str]) -> tuple[FindingKind, ...]:
    """``KIND[,KIND]`` or ``all`` -> the kinds; an unknown kind is a UsageError naming it."""
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = tuple(k.strip() for k in items if k.strip())
    kinds = tuple(r.kind for r in RULES)
    if "all" in wanted:
        return kinds
    bad = [k for k in wanted if k not in kinds]
    if bad:
        raise UsageError(
            f"unknown finding kind {bad[0]!r} in --fail-on",
            f"choose from: all, {', '.join(kinds)}",
        )
    return tuple(k for k in kinds if k in wanted)


def gated(
    findings: Sequence[Finding],
    kinds: Collection[str],
    min_confidence: float = 0.0,
    branches: Collection[str] | None = None,
) -> list[Finding]:
    """The findings that fail the gate: open and verified (never a candidate, nor drift
    resolved since), of these kinds, at least this confident, and (when ``branches`` is
    given) involving one of those branches."""
    return [
        f
        for f in findings
        if f.status == "open"
        and f.tier == "finding"
        and f.kind in kinds
        and f.confidence >= min_confidence
        and (branches is None or any(loc.branch in branches for loc in f.locations))
    ]
