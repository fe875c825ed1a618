"""``idealize apply``: write chosen, validated patches of a finished run to the user's tree.

The run folder is untrusted by the time it is applied (anyone could have edited plan.json),
so every patch is checked again, with the same checks as ``idealize patch check``: paths
git itself would refuse, symbolic links, mode changes, deletions, renames and binary patches
are rejected, and a patch that changes a file it does not list is refused. idealize then
writes the validated text itself (never ``git apply`` of the stored diff), so what changes is
exactly what was checked: regular text files, edited or created, and nothing else.

It refuses, changing nothing, when HEAD has moved on since the run, when the files the
patches change have uncommitted changes, or when any patch no longer applies as validated.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from idealize.errors import UsageError
from idealize.patches.check import check_patch, git_path_problem, path_problem
from idealize.repo.git import Git
from idealize.types import PatchRecord, Plan


@dataclass(frozen=True)
class FileWrite:
    """What applying a patch does to one file."""

    path: str
    created: bool
    added: int  # lines
    removed: int

    def describe(self) -> str:
        how = "created" if self.created else "modified"
        return f"{self.path} ({how}, +{self.added} -{self.removed})"


@dataclass(frozen=True)
class Applied:
    id: str
    files: tuple[str, ...]
    writes: tuple[FileWrite, ...] = ()


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


def _line_counts(old: str | None, new: str) -> tuple[int, int]:
    import difflib

    added = removed = 0
    for line in difflib.unified_diff((old or "").splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


def plan_writes(git: Git, plan: Plan, chosen: Sequence[PatchRecord]) -> dict[str, str]:
    """Check every chosen patch again, as ``patch check`` would, on top of the ones before it;
    the new text of each file that changes. Raises UsageError naming the first problem."""
    root = git.root
    staged: dict[str, str] = {}  # file -> its text after the patches so far

    def read(path: str) -> str | None:
        if path in staged:
            return staged[path]
        target = root / path
        return target.read_bytes().decode("utf-8") if target.is_file() else None

    for p in chosen:
        verdict = check_patch(root, p.diff, read=read)
        if verdict.status == "rejected":
            raise UsageError(
                f"patch {p.id} is refused: {verdict.reason}",
                "nothing was changed; a run folder edited by hand is checked like any patch",
            )
        if verdict.layers:
            raise UsageError(
                f"patch {p.id} no longer applies as it was validated (it would need: "
                f"{', '.join(verdict.layers)})",
                "nothing was changed; run cleanup --patches again",
            )
        changed = [
            f for f in verdict.files if verdict.new_contents[f] != verdict.old_contents.get(f)
        ]
        unlisted = [f for f in changed if f not in p.files]
        if unlisted:
            raise UsageError(
                f"patch {p.id} changes {unlisted[0]}, which it does not list "
                f"(it lists {', '.join(p.files) or 'nothing'})",
                "nothing was changed; the run folder was edited: run cleanup --patches again",
            )
        for f in changed:
            staged[f] = verdict.new_contents[f]
    return staged


def apply_patches(git: Git, plan: Plan, chosen: Sequence[PatchRecord]) -> list[Applied]:
    """Check everything first, then write; nothing is written unless every check passes."""
    root = git.root
    head = git.resolve("HEAD")
    if head != plan.target_head:
        raise UsageError(
            f"HEAD moved on since the run ({plan.target_head[:7]} -> {head[:7]})",
            "run cleanup --patches again on the current tree",
        )
    # the listing is untrusted too: only paths git itself would accept go to `git status`
    _refuse_dirty(git, sorted({f for p in chosen for f in p.files if not git_path_problem(f)}))
    staged = plan_writes(git, plan, chosen)
    files = sorted(staged)
    _refuse_dirty(git, files)
    originals = {f: _read(root, f) for f in files}
    writes: dict[str, FileWrite] = {}
    for f in files:
        problem = path_problem(root, f, creating=True)  # again, just before writing
        if problem:
            raise UsageError(f"refusing to write {f}: {problem}", "nothing more was changed")
        _write(root, f, staged[f])
        added, removed = _line_counts(originals[f], staged[f])
        writes[f] = FileWrite(f, originals[f] is None, added, removed)
    applied: list[Applied] = []
    claimed: set[str] = set()
    for p in chosen:
        mine = tuple(writes[f] for f in p.files if f in writes and f not in claimed)
        claimed.update(w.path for w in mine)
        applied.append(Applied(p.id, tuple(w.path for w in mine), mine))
    return applied


def _refuse_dirty(git: Git, files: Sequence[str]) -> None:
    if not files:
        return
    porcelain = git.text(
        "status", "--porcelain", "--untracked-files=all", "--", *(f":(literal){f}" for f in files)
    )
    dirty = [line for line in porcelain.splitlines() if line.strip()]
    if dirty:
        raise UsageError(
            f"uncommitted changes in files the patches touch: {dirty[0][3:]}",
            "commit or stash them first; nothing was changed",
        )


def _read(root: Path, path: str) -> str | None:
    target = root / path
    return target.read_bytes().decode("utf-8") if target.is_file() else None


def _write(root: Path, path: str, text: str) -> None:
    """Replace one regular file atomically, keeping its permission bits (0644 when new)."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.is_file() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=".idealize-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
