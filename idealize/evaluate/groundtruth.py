"""Match findings against expected ones (a sample's planted list, or a user's ground-truth file).

A finding matches an expected item when the kinds agree and every expected location is
covered by one of the finding's locations: same path, the same symbol or its parent or
child (`Class` ~ `Class.method`), and the same branch when the expected one names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from idealize.evaluate.samples import Planted, PlantedLocation
from idealize.repo.symbols import unsuffixed
from idealize.types import Finding, Location


@dataclass(frozen=True)
class Score:
    found: tuple[str, ...]  # expected ids found
    missed: tuple[str, ...]  # expected ids not found
    extra: tuple[str, ...]  # finding ids that match nothing expected
    by_kind: tuple[
        tuple[str, int, int, int], ...
    ]  # (kind, true positives, false positives, false negatives)

    @property
    def recall(self) -> float:
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 1.0

    @property
    def precision(self) -> float:
        matched = sum(tp for _, tp, _, _ in self.by_kind)
        total = matched + len(self.extra)
        return matched / total if total else 1.0


def symbols_match(expected: str | None, actual: str | None) -> bool:
    if expected is None:
        return True
    if actual is None:
        return False
    e, a = unsuffixed(expected), unsuffixed(actual)
    return e == a or a.startswith(e + ".") or e.startswith(a + ".")


def _covers(loc: Location, want: PlantedLocation, label: Callable[[str], str]) -> bool:
    if loc.path != want.path or not symbols_match(want.symbol, loc.symbol):
        return False
    if want.branch is None:
        return True
    return loc.branch == label(want.branch)


def matches(finding: Finding, item: Planted, label: Callable[[str], str] = lambda b: b) -> bool:
    if finding.kind != item.kind:
        return False
    return all(
        any(_covers(loc, want, label) for loc in finding.locations) for want in item.locations
    )


def score(
    findings: Sequence[Finding],
    expected: Sequence[Planted],
    label: Callable[[str], str] = lambda b: b,
) -> Score:
    found: list[str] = []
    missed: list[str] = []
    matched_findings: set[str] = set()
    for item in expected:
        hits = [f for f in findings if matches(f, item, label)]
        if hits:
            found.append(item.id)
            matched_findings.update(f.id for f in hits)
        else:
            missed.append(item.id)
    extra = tuple(f.id for f in findings if f.id not in matched_findings)
    kinds = sorted({i.kind for i in expected} | {f.kind for f in findings})
    by_kind = []
    for kind in kinds:
        tp = sum(1 for i in expected if i.kind == kind and i.id in found)
        fn = sum(1 for i in expected if i.kind == kind and i.id in missed)
        fp = sum(1 for f in findings if f.kind == kind and f.id in extra)
        by_kind.append((kind, tp, fp, fn))
    return Score(tuple(found), tuple(missed), extra, tuple(by_kind))
