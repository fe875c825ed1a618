"""Typed, immutable objects passed between the pipeline stages.

collect -> (Branch, FileChange, Hunk, SymbolChange)
analyze -> (Finding, Location, ModuleOverlap, Unit)
emit    <- Plan
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

PLAN_SCHEMA = "idealize.plan/1"

ChangeKind = Literal["added", "modified", "deleted", "renamed"]
FindingKind = Literal["duplicate", "divergence", "double_fix", "phantom_dependency"]
BranchKind = Literal["merge", "squash", "branch", "worktree"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "duplicate",
    "divergence",
    "double_fix",
    "phantom_dependency",
)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A definition found by the parser in one version of a file."""

    name: str  # qualified within its file: "Class.method"
    kind: str  # function, method, class, struct, enum, interface, trait, type, module
    start_line: int  # 1-based, inclusive
    end_line: int
    body_hash: str  # hash of the definition's own text (children blanked)
    signature: str  # first line of the definition, stripped


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    subject: str
    body: str = ""


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    @property
    def old_end(self) -> int:
        return self.old_start + max(self.old_lines, 1) - 1

    @property
    def new_end(self) -> int:
        return self.new_start + max(self.new_lines, 1) - 1


@dataclass(frozen=True, slots=True)
class SymbolChange:
    name: str
    kind: str
    change: ChangeKind
    old_start: int | None = None
    old_end: int | None = None
    new_start: int | None = None
    new_end: int | None = None
    renamed_from: str | None = None


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    status: Literal["added", "modified", "deleted", "renamed"]
    old_path: str | None = None
    language: str | None = None
    old_blob: str | None = None
    new_blob: str | None = None
    hunks: tuple[Hunk, ...] = ()
    symbols: tuple[SymbolChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Branch:
    name: str
    kind: BranchKind
    head: str  # a commit sha, or a tree sha for a worktree with uncommitted work
    base: str
    commits: tuple[Commit, ...] = ()
    files: tuple[FileChange, ...] = ()
    uncommitted: bool = False
    worktree: str | None = None
    # (base, landing) positions on the target's first-parent history after --since;
    # None for branches that have not landed
    window: tuple[int, int] | None = None
    number: int | None = None  # the pull request, when the history names one
    # pull requests this work's commit messages refer to (`follow-up to #123`): work that
    # knew of another was not done blind to it
    refers: tuple[int, ...] = ()

    def file(self, path: str) -> FileChange | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


Progress = Callable[[str, int, int], None]  # stage, done, total
Parallel = Callable[[str | None, str | None], bool]  # were these two branches in flight together?


def no_progress(stage: str, done: int, total: int) -> None:
    return None


def always_parallel(a: str | None, b: str | None) -> bool:
    return True


def concurrent(a: Branch, b: Branch) -> bool:
    """Were the two branches in flight at the same time? A branch started after the other
    landed could see its code: that is sequential work, not parallel drift."""
    if (a.number is not None and a.number in b.refers) or (
        b.number is not None and b.number in a.refers
    ):
        return False  # one names the other: a follow-up, not parallel work
    if a.window is None or b.window is None:
        return True
    (a_base, a_landed), (b_base, b_landed) = a.window, b.window
    return not (a_landed <= b_base or b_landed <= a_base)


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something idealize saw and did not analyse, with the reason."""

    what: str
    reason: str
    branch: str | None = None


@dataclass(frozen=True, slots=True)
class SymbolOverlap:
    name: str
    kind: str
    branches: tuple[str, ...]
    change: str  # the changes, "/"-joined when branches differ
    changes: tuple[tuple[str, str], ...] = ()  # (branch, change)


@dataclass(frozen=True, slots=True)
class ModuleOverlap:
    path: str
    branches: tuple[str, ...]
    symbols: tuple[SymbolOverlap, ...] = ()
    verdict: str = ""  # "drift" when a finding covers it, else why it was judged benign


LocationTree = Literal["head", "branch"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece was in the tree of the branch that brought it (for a location that
    was mapped to HEAD): the plan links both."""

    path: str
    start_line: int | None
    end_line: int | None
    commit: str


@dataclass(frozen=True, slots=True)
class Location:
    """A place a finding points at. ``path`` and the lines are as they are in ``tree``:
    ``head`` (the analysed commit: the merged HEAD after merging, the target or the
    worktree before) or ``branch`` (the tree of the branch that brought it), at ``commit``.
    ``gone``: it no longer exists at HEAD (the removed side of a phantom dependency);
    ``commit`` then names the last commit where it existed."""

    path: str
    symbol: str | None
    start_line: int | None
    end_line: int | None
    branch: str | None  # the branch that brought it; None: code already on the target
    tree: LocationTree = "branch"
    commit: str | None = None
    gone: bool = False
    snippet: str | None = None  # the line's text, for a location found by text
    origin: Origin | None = None


Tier = Literal["finding", "candidate"]
FindingStatus = Literal["open", "resolved"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the model stage made of a static finding."""

    status: Literal["confirmed", "refuted", "amended"]
    reason: str
    unit_id: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One cause of drift, with every affected branch and use inside it.

    ``tier``: a *finding* is verified drift, held to high precision; a *candidate* is a
    lead below that bar (sent to the model when one is configured, shown offline only
    with ``--candidates``). ``status`` ``resolved``: it held when it landed but no longer
    at HEAD (``resolved`` says why). ``rank`` 1 is the most important. ``fingerprint``
    stays the same while the cause does (lines may move): baselines key on it.
    """

    id: str
    kind: FindingKind
    title: str
    confidence: float
    source: Literal["static", "model"]
    locations: tuple[Location, ...]
    evidence: tuple[str, ...]
    recommendation: str
    tier: Tier = "finding"
    status: FindingStatus = "open"
    rank: int = 0
    fingerprint: str = ""
    resolved: str | None = None
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A group of related changed code: what one prompt sees in the model stage."""

    id: str
    title: str
    members: tuple[Location, ...]
    findings: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitReview:
    """What the model stage made of one unit."""

    unit_id: str
    status: Literal["ok", "failed", "dry-run", "skipped"]
    variant: str
    ideal: str = ""
    decision: str = ""
    steps: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    agents_md: str = ""
    findings: tuple[str, ...] = ()  # ids of the model's findings in Plan.findings
    omitted: tuple[str, ...] = ()  # what packing left out to fit the budget
    prompt_tokens: int = 0
    budget: int = 0
    parse_layer: int | None = None
    error: str | None = None
    dropped: tuple[str, ...] = ()  # parts of the answer that were not usable


@dataclass(frozen=True, slots=True)
class PatchRecord:
    """An edit the model proposed for a unit, and what became of it."""

    id: str
    unit_id: str
    status: Literal["applies", "repaired", "rejected", "none"]
    layers: tuple[str, ...] = ()
    reason: str | None = None
    files: tuple[str, ...] = ()
    parses: bool | None = None
    verify: str | None = None  # passed, failed, timeout; None when not run
    verify_detail: str = ""
    diff: str = ""


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Plan:
    repo: str
    mode: str  # "since", "branches", "worktrees", "review"
    target: str  # the ref the branches landed on or go into
    target_head: str
    branches: tuple[Branch, ...]
    modules: tuple[ModuleOverlap, ...]
    findings: tuple[Finding, ...] = ()
    units: tuple[Unit, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)
    offline: bool = True
    since: str | None = None
    reviews: tuple[UnitReview, ...] = ()
    model: str | None = None
    # secret kind -> how many were removed from prompts
    redactions: tuple[tuple[str, int], ...] = ()
    patches: tuple[PatchRecord, ...] = ()


def fingerprint(kind: str, locations: tuple[Location, ...]) -> str:
    """A finding's stable identity: its kind and what it points at by name (path and
    symbol, or the text of a line found by text), never by line number, so a finding whose
    code moved keeps its fingerprint. Branch names are left out: the same drift re-found
    after a rebase is the same finding."""
    import hashlib
    import json

    keys = sorted(
        {
            (
                (loc.origin.path if loc.origin else loc.path),
                loc.symbol or "",
                "" if loc.symbol else " ".join((loc.snippet or "").split()),
            )
            for loc in locations
        }
    )
    return hashlib.sha256(json.dumps([kind, keys]).encode()).hexdigest()[:20]
