"""``idealize apply``: write chosen, validated patches of a finished run to the user's tree.

It refuses, changing nothing, when HEAD has moved on since the run, when the files the
patches touch have uncommitted changes, or when any patch no longer applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from idealize.errors import UsageError
from idealize.repo.git import Git
from idealize.types import PatchRecord, Plan


@dataclass(frozen=True)
class Applied:
    id: str
    files: tuple[str, ...]


def choose_patches(plan: Plan, ids: Sequence[str], run_dir: str) -> list[PatchRecord]:
    """The patches named by ``ids``; with none named, every patch that applied and whose
    verification did not fail."""
    missing = set(ids) - {p.id for p in plan.patches}
    if missing:
        raise UsageError(
            f"no patch {sorted(missing)[0]} in {run_dir}",
            f"patches: {', '.join(p.id for p in plan.patches) or 'none'}",
        )
    chosen = [
        p
        for p in plan.patches
        if (p.id in ids if ids else p.status in ("applies", "repaired") and p.verify != "failed")
    ]
    unusable = [p for p in chosen if p.status not in ("applies", "repaired") or not p.diff]
    if unusable:
        raise UsageError(
            f"patch {unusable[0].id} did not apply ({unusable[0].reason})",
            "pick patches whose verdict is applies or repaired",
        )
    if not chosen:
        raise UsageError("no patch to apply", "name patch ids, or run cleanup with --patches first")
    return chosen


def apply_patches(git: Git, plan: Plan, chosen: Sequence[PatchRecord]) -> list[Applied]:
    """Check everything first, then apply; nothing is written unless every check passes."""
    head = git.resolve("HEAD")
    if head != plan.target_head:
        raise UsageError(
            f"HEAD moved on since the run ({plan.target_head[:7]} -> {head[:7]})",
            "run cleanup --patches again on the current tree",
        )
    files = sorted({f for p in chosen for f in p.files})
    porcelain = git.text("status", "--porcelain", "--", *files)
    dirty = [line for line in porcelain.splitlines() if line.strip()]
    if dirty:
        raise UsageError(
            f"uncommitted changes in files the patches touch: {dirty[0][3:]}",
            "commit or stash them first",
        )
    for p in chosen:
        problem = git.apply_patch(p.diff, check_only=True)
        if problem:
            raise UsageError(
                f"patch {p.id} no longer applies: {problem[:200]}", "nothing was changed"
            )
    applied: list[Applied] = []
    for p in chosen:
        problem = git.apply_patch(p.diff)
        if problem:
            raise UsageError(f"patch {p.id} failed to apply: {problem[:200]}", "see git status")
        applied.append(Applied(p.id, p.files))
    return applied
