"""Divergence: one branch replaces or simplifies a mechanism while another extends it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from idealize.analyze.context import Context
from idealize.analyze.detectors.phantom import COMMON_NAMES
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.types import Branch, Finding, Location, Parallel, always_parallel

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class DivergenceParams:
    confidence_extended: float = param(
        0.8, "the other branch changes the mechanism itself (new parameters, new body)"
    )
    confidence_new_uses: float = param(
        0.7, "the other branch only adds uses of the mechanism: it may be easy to move them"
    )
    min_name: int = param(4, "shorter names are words, not mechanisms")
    long_name: int = param(12, "a name this long points at one mechanism even without case")


def specific(name: str, params: DivergenceParams = DivergenceParams()) -> bool:
    """A name that points at one mechanism: `RetryPolicy`, `with_retries`, `fetchJson`;
    not a word every module uses (`path`, `stream`, `encoding`)."""
    if name in COMMON_NAMES or name.startswith("__") or len(name) < params.min_name:
        return False
    capitalised = name[0].isupper() and any(c.islower() for c in name)
    compound = "_" in name.strip("_") or any(c.isupper() for c in name[1:])
    return capitalised or compound or len(name) >= params.long_name


def _ref_counts(
    b: Branch,
) -> tuple[Counter[str], Counter[str], dict[str, list[tuple[str, int, str]]]]:
    removed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    added_at: dict[str, list[tuple[str, int, str]]] = {}
    for f in b.files:
        for h in f.hunks:
            for line in h.removed:
                removed.update(set(_IDENT.findall(line)))
            for offset, line in enumerate(h.added):
                names = set(_IDENT.findall(line))
                added.update(names)
                for n in names:
                    added_at.setdefault(n, []).append((f.path, h.new_start + offset, line.strip()))
    return removed, added, added_at


def detect(ctx: Context, params: DivergenceParams) -> list[Finding]:
    return find_divergences(ctx.branches, ctx.pieces, ctx.defined, ctx.parallel, params)


def find_divergences(
    branches: Sequence[Branch],
    pieces: Sequence[Piece],
    defined: Mapping[str, tuple[str, str, str]],
    parallel: Parallel = always_parallel,
    params: DivergenceParams = DivergenceParams(),
) -> list[Finding]:
    """``defined``: short name -> (path, qualified name, kind) for mechanisms on the base."""
    counts = {b.name: _ref_counts(b) for b in branches}
    by_branch: dict[str, list[Piece]] = {}
    for p in pieces:
        if p.branch is not None:
            by_branch.setdefault(p.branch, []).append(p)
    # which branches could extend each mechanism: they use the name or change its definition
    touchers: dict[str, set[str]] = {}
    for b in branches:
        _, b_added, _ = counts[b.name]
        for name in b_added:
            if name in defined:
                touchers.setdefault(name, set()).add(b.name)
    for p in pieces:
        if p.branch is not None and p.change == "modified":
            for name in (p.short, p.symbol.split(".", 1)[0]):
                if name in defined:
                    touchers.setdefault(name, set()).add(p.branch)
    named = {b.name: b for b in branches}
    findings: list[Finding] = []
    for a in branches:
        removed, added, _added_at = counts[a.name]
        a_pieces = by_branch.get(a.name, [])
        for mech, n_removed in removed.items():
            if mech not in defined or not specific(mech, params):
                continue
            if n_removed <= added.get(mech, 0):
                continue
            m_path, m_qual, _m_kind = defined[mech]
            deleted = any(p.short == mech and p.change in ("deleted", "renamed") for p in a_pieces)
            callers = [
                p
                for p in a_pieces
                if p.change == "modified"
                and not p.cosmetic
                and re.search(rf"\b{re.escape(mech)}\b", p.removed_text)
            ]
            replacements = [
                p
                for p in a_pieces
                if p.change == "added"
                and p.short != mech
                and any(re.search(rf"\b{re.escape(p.short)}\b", c.added_text) for c in callers)
            ]
            if not (deleted or replacements):
                continue
            for b in (named[n] for n in sorted(touchers.get(mech, ()))):
                if b.name == a.name or not parallel(a.name, b.name):
                    continue
                b_removed, b_added, b_added_at = counts[b.name]
                b_pieces = by_branch.get(b.name, [])
                extended = [
                    p
                    for p in b_pieces
                    if (p.short == mech or p.symbol.startswith(mech + "."))
                    and p.change == "modified"
                    and not p.cosmetic
                    and (set(p.params) - set(p.old_params) or p.added_text)
                ]
                new_refs = b_added.get(mech, 0) - b_removed.get(mech, 0)
                if not extended and new_refs <= 0:
                    continue
                if deleted and not extended:
                    continue  # a removal with new uses elsewhere is a phantom dependency
                evidence = []
                how_a = "deletes" if deleted else "moves its callers off"
                evidence.append(
                    f"{a.name} {how_a} `{m_qual}`"
                    + (
                        f" and adds {', '.join(f'`{r.symbol}`' for r in replacements)}"
                        if replacements
                        else ""
                    )
                    + (
                        f"; rewrites {', '.join(f'`{c.symbol}`' for c in callers[:4])}"
                        if callers
                        else ""
                    )
                )
                for p in extended:
                    new_params = sorted(set(p.params) - set(p.old_params))
                    evidence.append(
                        f"{b.name} extends `{p.symbol}`"
                        + (f" with new parameter(s) {', '.join(new_params)}" if new_params else "")
                    )
                new_callers = [loc for loc in b_added_at.get(mech, []) if loc[0] != m_path]
                if new_refs > 0 and new_callers:
                    evidence.append(
                        f"{b.name} adds {len(new_callers)} new use(s) of `{mech}`, e.g. `{new_callers[0][0]}:{new_callers[0][1]}`"
                    )
                locations: list[Location] = [p.location() for p in extended]
                locations += [
                    Location(path, None, line, line, b.name) for path, line, _ in new_callers[:4]
                ]
                locations += [r.location() for r in replacements]
                locations += [c.location() for c in callers[:6]]
                if not deleted and not any(loc.symbol == m_qual for loc in locations):
                    locations.insert(0, Location(m_path, m_qual, None, None, None))
                replacement = replacements[0].symbol if replacements else "the new mechanism"
                findings.append(
                    Finding(
                        id="",
                        kind="divergence",
                        title=f"{a.name} replaces `{mech}` with `{replacement}` while {b.name} extends `{mech}`",
                        confidence=params.confidence_extended
                        if extended
                        else params.confidence_new_uses,
                        source="static",
                        locations=tuple(locations),
                        evidence=tuple(evidence),
                        recommendation=(
                            f"Decide which mechanism stays. If `{replacement}` wins, carry {b.name}'s additions "
                            f"over to it and move the new callers; otherwise revert {a.name}'s rewrite. "
                            "Merged as is, the code base keeps two ways to do one thing."
                        ),
                    )
                )
    return findings
