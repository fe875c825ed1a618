"""Findings a person has said to leave alone, applied after the engine (a post-filter):

- ``# idealize: ignore[duplicate]`` (or ``// idealize: ignore[...]``, ``-- ...``) on a
  definition's first line or in the comment block right above it (decorators included)
  suppresses the findings of those kinds that point at it; several kinds go comma-separated;
  a bare ``# idealize: ignore`` suppresses every kind. Kinds are named as in ``--fail-on``
  (``duplicate``, ``divergence``, ``double_fix``, ``phantom_dependency``), by their SARIF
  rule name, or by a synonym the rule registry knows.
- files the configuration excludes (``exclude`` / ``extend-exclude``): a finding that points
  into one is dropped, and so is the excluded code the engine read from the target.

The source is read where each location says it is (its commit, or the analysed HEAD).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from idealize.analyze.engine import Analysis
from idealize.analyze.rules import RULES, kind_for
from idealize.repo.git import BlobReader, Git
from idealize.types import Finding, Location, Plan

_COMMENT = re.compile(
    r"(?:#|//|/\*|--|;|<!--)\s*idealize\s*:\s*ignore\b(?:\[(?P<kinds>[^\]]*)\])?", re.I
)
_ABOVE = ("#", "//", "/*", "*", "@", "--", ";", "<!--")
MAX_ABOVE = 8  # comment or decorator lines read above a definition


def _kinds(text: str | None) -> tuple[frozenset[str] | None, list[str]]:
    """The kinds a comment names (None: every kind) and the words it could not read."""
    if text is None or not text.strip():
        return None, []
    names = {r.name.lower(): r.kind for r in RULES}
    found: set[str] = set()
    unknown: list[str] = []
    for word in re.split(r"[,\s]+", text.strip()):
        if not word:
            continue
        kind = kind_for(word) or names.get(word.lower())
        if kind is None:
            unknown.append(word)
        else:
            found.add(kind)
    return frozenset(found), unknown


def ignored_kinds(lines: list[str], start_line: int) -> tuple[frozenset[str] | None, list[str]]:
    """What an ``idealize: ignore`` comment at a definition starting on ``start_line``
    (1-based) suppresses: a set of kinds, None for every kind, or an empty set for nothing;
    and the unknown kind names it used."""
    if not 1 <= start_line <= len(lines):
        return frozenset(), []
    candidates = [lines[start_line - 1]]
    i = start_line - 2
    while i >= 0 and len(candidates) <= MAX_ABOVE and lines[i].strip().startswith(_ABOVE):
        candidates.append(lines[i])
        i -= 1
    every = False
    kinds: set[str] = set()
    unknown: list[str] = []
    for line in candidates:
        for m in _COMMENT.finditer(line):
            named, bad = _kinds(m.group("kinds"))
            unknown += bad
            if named is None and not bad:
                every = True
            elif named:
                kinds |= named
    return (None if every else frozenset(kinds)), unknown


def _treeish(loc: Location, plan: Plan) -> str:
    if loc.commit:
        return loc.commit
    heads = {b.name: b.head for b in plan.branches}
    return heads.get(loc.branch or "", plan.target_head)


def suppressions(git: Git, plan: Plan) -> tuple[dict[str, str], list[str]]:
    """Finding id -> why it is suppressed, and notes about comments that named no known kind."""
    wanted: dict[str, None] = {}
    for f in plan.findings:
        for loc in f.locations:
            if loc.start_line and "\n" not in loc.path and not loc.gone:
                wanted[f"{_treeish(loc, plan)}:{loc.path}"] = None
    if not wanted:
        return {}, []
    reader = BlobReader(git)
    try:
        raw = reader.read_many(list(wanted))
    finally:
        reader.close()
    texts = {k: v.decode("utf-8", "replace").splitlines() for k, v in raw.items()}
    found: dict[str, str] = {}
    notes: list[str] = []
    for f in plan.findings:
        for loc in f.locations:
            lines = texts.get(f"{_treeish(loc, plan)}:{loc.path}")
            if not lines or not loc.start_line:
                continue
            kinds, unknown = ignored_kinds(lines, loc.start_line)
            for word in unknown:
                notes.append(
                    f"`{loc.path}:{loc.start_line}`: `idealize: ignore[{word}]` names no finding "
                    f"kind (kinds: {', '.join(r.kind for r in RULES)})"
                )
            if kinds is None or f.kind in kinds:
                where = f"{loc.path}:{loc.start_line}"
                found.setdefault(f.id, f"`idealize: ignore` at `{where}`")
    return found, list(dict.fromkeys(notes))


def drop_findings(plan: Plan, analysis: Analysis, drop: Mapping[str, str]) -> tuple[Plan, Analysis]:
    """The plan and analysis without the findings in ``drop`` (id -> why): units that existed
    only for them go too, and module verdicts name what is left."""
    if not drop:
        return plan, analysis
    findings = tuple(f for f in plan.findings if f.id not in drop)
    units = tuple(
        replace(u, findings=tuple(i for i in u.findings if i not in drop))
        for u in plan.units
        if not u.findings or any(i not in drop for i in u.findings)
    )
    modules = tuple(replace(m, verdict=_verdict(m.verdict, drop)) for m in plan.modules)
    plan = replace(plan, findings=findings, units=units, modules=modules)
    analysis = replace(
        analysis,
        findings=tuple(f for f in analysis.findings if f.id not in drop),
        units=units,
        modules=modules,
    )
    return plan, analysis


_DRIFT = re.compile(r"^Drift: see (?P<ids>[A-Z]+-\d+(?:, [A-Z]+-\d+)*)\.$")


def _verdict(verdict: str, drop: Mapping[str, str]) -> str:
    m = _DRIFT.match(verdict)
    if not m:
        return verdict
    ids = m.group("ids").split(", ")
    left = [i for i in ids if i not in drop]
    if left:
        return f"Drift: see {', '.join(left)}."
    return f"No open drift: {', '.join(ids)} {'is' if len(ids) == 1 else 'are'} set aside ({drop[ids[0]]})."


def suppress(git: Git, plan: Plan, analysis: Analysis) -> tuple[Plan, Analysis]:
    """Drop the findings an ``idealize: ignore`` comment suppresses; say how many."""
    found, notes = suppressions(git, plan)
    plan, analysis = drop_findings(plan, analysis, found)
    if found:
        notes.append(
            f"{len(found)} finding(s) suppressed by `idealize: ignore` comments: "
            + ", ".join(f"{i} ({why})" for i, why in found.items())
        )
    if notes:
        plan = replace(plan, notes=(*plan.notes, *notes))
    return plan, analysis


def exclude_findings(
    plan: Plan, analysis: Analysis, excluded: Callable[[str], bool]
) -> tuple[Plan, Analysis]:
    """Drop findings that point into excluded files, and the excluded code the engine read
    from the target (so no prompt shows it)."""

    def touches(f: Finding) -> bool:
        return any(
            excluded(loc.path) or (loc.origin is not None and excluded(loc.origin.path))
            for loc in f.locations
        )

    drop = {f.id: "excluded file" for f in plan.findings if touches(f)}
    plan, analysis = drop_findings(plan, analysis, drop)
    units = tuple(
        replace(u, members=tuple(m for m in u.members if not excluded(m.path))) for u in plan.units
    )
    plan = replace(plan, units=units)
    analysis = replace(
        analysis,
        units=units,
        pieces=tuple(p for p in analysis.pieces if not excluded(p.path)),
        existing=tuple(p for p in analysis.existing if not excluded(p.path)),
    )
    if drop:
        plan = replace(
            plan,
            notes=(
                *plan.notes,
                f"{len(drop)} finding(s) left out: they point into excluded files "
                f"({', '.join(drop)}).",
            ),
        )
    return plan, analysis
