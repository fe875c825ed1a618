"""Which branches changed what, down to the symbol.

Three ways in:
- ``since``: every branch that landed on the current branch after a ref (merge
  commits, squash- or rebase-merged commits);
- ``branches``: unmerged branches, each against its merge-base with a target;
- ``worktrees``: every worktree, with uncommitted and untracked (not ignored) work.

One module on purpose: how lines of work are read from a history (merge, squash and rebase
landings, forward merges, reverts, worktrees) are rules that interact and are tested
together.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from unidiff import PatchSet  # type: ignore[attr-defined]
from unidiff.errors import UnidiffParseError

from idealize.config import MAX_PARSE_BYTES
from idealize.errors import EmptyRange, RepoError, ShallowHistory, UsageError
from idealize.repo.git import Git, LogEntry, RawChange
from idealize.repo.languages import language_of
from idealize.repo.patterns import Excluder
from idealize.repo.symbols import PARSER_VERSION, ParsePool, SymbolIndex
from idealize.repo.throwaway import is_throwaway
from idealize.timings import Clock
from idealize.types import (
    Branch,
    BranchKind,
    ChangeKind,
    Commit,
    FileChange,
    Hunk,
    Progress,
    Skipped,
    Symbol,
    SymbolChange,
    no_progress,
)

# A squash-merged PR keeps no trace of when its work began. Measured on four public
# histories whose PRs are merge commits (first own commit to merge): median 0-14 hours,
# 75th percentile 2-77 hours. Two days covers most; out-of-order landings extend it (see
# _pr_starts), so a PR proven open longer is paired over its whole life.
SQUASH_WINDOW_SECONDS = 2 * 24 * 3600

# Names of lines of work that are not one agent's work: the target itself, long-lived
# integration, release and maintenance branches (merged forward into main, they carry
# everyone's changes, backports included).
LONG_LIVED = re.compile(
    r"^(main|master|trunk|develop|development|dev|stable|next|staging|production|prod|"
    r"beta|alpha|canary|nightly|preview|integration|hotfix|"
    r"release([/-].*)?|releases?/.*|maint(enance)?([/-].*)?|backports?([/-].*)?|"
    r"v?\d+(\.\d+)*(\.x)?|v?\d+(\.\d+)*[-/](stable|maint|x|branch)|.*-stable|stable-.*)$",
    re.IGNORECASE,
)
_MERGE_PATTERNS = (
    re.compile(r"^Merge pull request #(?P<pr>\d+) from (?:[^/\s]+/)?(?P<name>\S+)"),
    re.compile(
        r"^Merge (?:remote-tracking )?branch '(?P<name>[^']+)'(?: of (?P<remote>\S+))?(?: into (?P<into>\S+))?"
    ),
    re.compile(r"^Merge branch (?P<name>\S+)"),
    re.compile(r"^Merged? (?:in )?(?P<name>\S+)"),
)
_PR_NUMBER = re.compile(
    r"\(#(\d+)\)\s*$|^Merge (?:pull request|PR|merge request) [#!](\d+)|\s#(\d+)\s*$",
    re.IGNORECASE,
)
# A pull request from a long-lived branch name (`main` of a fork, `beta`) is one person's
# work unless it is big or merges others' work itself.
LONG_LIVED_PR_COMMITS = 20
_REVERTS_COMMIT = re.compile(r"This reverts commit ([0-9a-f]{7,40})")
_REVERTS_PR = re.compile(r"^Reverts? [\w.-]+/[\w.-]+#(\d+)", re.M)
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")
_REVERTS_TITLE = re.compile(r"^Revert ([\"'])(.+)\1$")
_PR_SUFFIX = re.compile(r"\s*\(#\d+\)$")


@dataclass(frozen=True)
class CollectOptions:
    since: str | None = None
    branches: tuple[str, ...] = ()
    into: str | None = None
    worktrees: bool = False
    max_parse_bytes: int = MAX_PARSE_BYTES
    # gitignore-style patterns of files left out before their diffs are parsed
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collection:
    mode: str
    target: str
    target_head: str
    branches: tuple[Branch, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    since: str | None = None


@dataclass
class _Pending:
    """A branch whose diff is known but whose symbols are not yet parsed."""

    name: str
    kind: BranchKind
    head: str
    base: str
    commits: tuple[Commit, ...]
    raw: list[RawChange] | None = None  # read in _finish, unless the cache has the branch
    patch: str | None = None
    uncommitted: bool = False
    worktree: str | None = None
    skipped: list[Skipped] = field(default_factory=list)
    window: tuple[int, int] | None = None
    number: int | None = None  # the pull request, when the history names one
    excluded: list[str] = field(default_factory=list)  # paths the configuration leaves out


def pr_number(subject: str) -> int | None:
    m = _PR_NUMBER.search(subject)
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def merged_branch_name(subject: str) -> str | None:
    for pattern in _MERGE_PATTERNS:
        m = pattern.match(subject)
        if m:
            return m.group("name").strip("'\"")
    return None


def collect(
    git: Git,
    options: CollectOptions,
    symbols: SymbolIndex,
    progress: Progress = no_progress,
    clock: Clock | None = None,
) -> Collection:
    """``clock``: charged ``parse`` (and its steps) for the diffs, blobs and symbols."""
    notes: list[str] = []
    skipped: list[Skipped] = []
    if options.since is not None:
        if options.branches or options.worktrees:
            raise UsageError(
                "--since cannot be combined with --branch or --worktrees", "run them separately"
            )
        mode = "since"
        target = git.current_branch() or "HEAD"
        target_head = git.resolve("HEAD")
        pending = _landed_since(git, options.since, target_head, notes, skipped)
    else:
        into = options.into or git.default_branch()
        target = into
        target_head = git.resolve(into)
        pending = []
        names = list(options.branches)
        if options.worktrees:
            mode = "worktrees"
            pending.extend(_from_worktrees(git, target_head, into, skipped))
        else:
            mode = "branches"
            if not names:
                names = _unmerged_local_branches(git, into, target_head)
                if names:
                    notes.append(
                        f"No branches named: took the {len(names)} local branches not yet merged into {into}."
                    )
        have = {p.name for p in pending}
        for name in names:
            if name in have:
                continue
            pending.extend(_from_branch(git, name, target_head, into, skipped))
        if not pending:
            raise EmptyRange(
                f"no branch has changes of its own against {into}",
                "name branches with --branch NAME, use --worktrees, or --since REF after merging",
            )
    progress("collect", len(pending), len(pending))
    clock = clock or Clock()
    with clock.stage("parse"):
        branches = _finish(
            git,
            pending,
            symbols,
            options.max_parse_bytes,
            Excluder(options.exclude),
            skipped,
            progress,
            clock,
        )
    return Collection(
        mode=mode,
        target=target,
        target_head=target_head,
        branches=tuple(branches),
        skipped=tuple(skipped),
        notes=tuple(notes),
        since=options.since,
    )


# -- post-merge -----------------------------------------------------------------------


def _landed_since(
    git: Git, since: str, head: str, notes: list[str], skipped: list[Skipped]
) -> list[_Pending]:
    """Every line of work that landed on HEAD's first-parent chain after ``since``.

    A merge contributes each merged side (an octopus merge one per parent); a squash- or
    rebase-merged PR one line (consecutive commits naming one PR are one line); direct
    commits one line per run of consecutive commits by one author. Integration, release
    and maintenance branches merged forward, reverted work and cherry-picked copies are
    skipped and listed with the reason.
    """
    since_sha = git.resolve(since)
    if not git.is_ancestor(since_sha, head):
        notes.append(f"{since} is not an ancestor of HEAD: took what HEAD has that {since} lacks.")
    every = git.log(f"{since_sha}..{head}")  # one read of the whole range, merged sides included
    if not every:
        raise EmptyRange(
            f"nothing landed on HEAD after {since}", "pick an older ref, e.g. --since HEAD~20"
        )
    sides = _Sides(every, head)
    entries = sides.first_parent  # oldest first
    position = {e.sha: i for i, e in enumerate(entries)}
    shallow = git.is_shallow()
    times = [e.time for e in entries]
    starts = _pr_starts(entries)
    pending: list[_Pending] = []
    back_merges = 0
    groups: dict[int, _Pending] = {}
    author_run: tuple[str, _Pending] | None = None
    repeated = _merged_more_than_once(entries)
    for landed, entry in enumerate(entries):
        if len(entry.parents) >= 2:
            author_run = None
            name = _merge_name(entry)
            pulled = (m := _MERGE_PATTERNS[1].match(entry.subject)) is not None and bool(
                m.group("remote")
            )
            for n, (tip, side, boundary) in enumerate(sides.sides(entry.sha), start=1):
                label = (
                    name if len(entry.parents) == 2 else f"{name} ({n} of {len(entry.parents) - 1})"
                )
                base = (
                    boundary[0]
                    if len(boundary) == 1 and not shallow
                    else git.merge_base(entry.parents[0], tip)
                )
                if base is None:
                    if shallow:
                        raise ShallowHistory(
                            f"the history of {label!r} ({entry.sha[:7]}) is cut off by the shallow clone",
                            "fetch more history: git fetch --unshallow",
                        )
                    skipped.append(
                        Skipped(
                            f"merge {entry.sha[:7]}", "the merged side shares no history with HEAD"
                        )
                    )
                    continue
                in_side = {e.sha for e in side}
                own_commits = [e for e in side if len(e.parents) < 2]
                side_merges = [e for e in side if len(e.parents) >= 2 and e.parents[1] in in_side]
                branch_name = name.removeprefix("origin/")
                why = None
                if pulled:
                    why = "a pull of the same branch from its remote"
                elif LONG_LIVED.match(branch_name) and (
                    not entry.subject.startswith("Merge pull request")
                    or side_merges
                    or len(own_commits) > LONG_LIVED_PR_COMMITS
                ):
                    # a pull request from a fork's `main` is one person's work; a pull
                    # request from this repository's `release/2.3` carries everyone's
                    why = f"merge of long-lived branch {name!r}"
                elif name in repeated and not name.startswith("#"):
                    why = f"{name!r} is merged {repeated[name]} times in the range: a long-lived branch"
                elif len(side_merges) > 3 and len(side_merges) * 2 > len(own_commits):
                    why = f"an integration branch ({len(side_merges)} merges of its own)"
                if why is not None:
                    skipped.append(
                        Skipped(
                            f"merge {entry.sha[:7]} ({entry.subject})",
                            f"{why} ({len(own_commits)} commits): not one agent's work, so not treated as a branch",
                        )
                    )
                    continue
                # a merge on the side whose second parent is not on the side came from the target
                back_merges += sum(
                    1 for e in side if len(e.parents) >= 2 and e.parents[1] not in in_side
                )
                commits = tuple(Commit(e.sha, e.subject, e.body) for e in reversed(own_commits))
                if not commits:
                    skipped.append(
                        Skipped(
                            f"merge {entry.sha[:7]} ({label})",
                            "the merged branch has no commits of its own",
                        )
                    )
                    continue
                item = _Pending(label, "merge", tip, base, commits)
                # where the fork point became part of the target (it may sit on another
                # branch that landed earlier, not on the first-parent chain itself)
                item.window = (sides.landed.get(base, position.get(base, -1)), landed)
                item.number = pr_number(entry.subject)
                pending.append(item)
            continue
        parent = entry.parents[0] if entry.parents else None
        if parent is None:
            skipped.append(
                Skipped(f"commit {entry.sha[:7]}", "root commit: nothing to compare it with")
            )
            author_run = None
            continue
        number = pr_number(entry.subject)
        commit = Commit(entry.sha, entry.subject, entry.body)
        previous = groups.get(number) if number is not None else None
        if previous is not None and pending and pending[-1] is previous:
            # a rebase-merged PR: consecutive commits naming the same PR are one line of work
            _extend(previous, entry, commit, landed)
            continue
        if number is None and author_run is not None and author_run[0] == entry.author:
            # direct commits: one author's consecutive commits are one line of work
            run = author_run[1]
            _extend(run, entry, commit, landed)
            run.name = f"commits {run.commits[0].sha[:7]}..{entry.sha[:7]}"
            continue
        name = f"#{number}" if number is not None else f"commit {entry.sha[:7]}"
        item = _Pending(name, "squash", entry.sha, parent, (commit,))
        started = min(entry.author_time or entry.time, entry.time - SQUASH_WINDOW_SECONDS)
        if number is not None:
            started = min(started, starts.get(number, started))
        elif entry.author_time and entry.author_time < entry.time - 60:
            started = entry.author_time  # rebased: the work was written before it landed
        else:
            started = entry.time  # a direct commit: written and landed at once
        item.window = (bisect.bisect_left(times, started, 0, landed) - 1, landed)
        item.number = number
        pending.append(item)
        if number is not None:
            groups[number] = item
            author_run = None
        else:
            author_run = (entry.author, item)
    pending = _drop_reverted_and_picked(pending, skipped)
    if not pending:
        raise EmptyRange(
            f"no branch of its own landed after {since}: {len(skipped)} merge(s) or commit(s) skipped",
            "; ".join(f"{s.what}: {s.reason}" for s in skipped[:3]) or "pick an older ref",
        )
    if back_merges:
        notes.append(
            f"Ignored {back_merges} back-merge(s) of the target into feature branches: "
            "each branch is compared with its latest merge-base, so only its own changes count."
        )
    _dedupe_names(pending)
    return pending


_REFERENCE = re.compile(r"(?<![\w/])#(\d+)\b")


def _references(commits: Sequence[Commit], own: int | None) -> tuple[int, ...]:
    """Pull requests the commit messages name, other than the work's own number."""
    found = {
        int(n)
        for c in commits
        for n in _REFERENCE.findall(f"{c.subject}\n{c.body}")
        if own is None or int(n) != own
    }
    return tuple(sorted(found))


def _merge_name(entry: LogEntry) -> str:
    """A merge's line of work by name: the merged branch's name for ``Merge pull request
    #N from owner/branch`` and ``Merge branch 'x'``; ``#N`` when the subject otherwise
    names a PR (``Merge PR #N: title``, ``title (#N)`` from a merge queue)."""
    if not entry.subject.startswith("Merge pull request"):
        number = pr_number(entry.subject)
        if number is not None:
            return f"#{number}"
    return merged_branch_name(entry.subject) or f"merge {entry.sha[:7]}"


def _merged_more_than_once(entries: Sequence[LogEntry]) -> dict[str, int]:
    """Branch names merged by plain ``Merge branch 'x'`` merges more than once: a branch
    that keeps being merged forward is long-lived, not one agent's work. (Pull requests
    reuse branch names for sequential work, so PR merges are not counted.)"""
    counts: dict[str, int] = {}
    for e in entries:
        if len(e.parents) >= 2 and pr_number(e.subject) is None:
            name = merged_branch_name(e.subject)
            if name:
                counts[name] = counts.get(name, 0) + 1
    return {name: n for name, n in counts.items() if n > 1}


def _pr_starts(entries: Sequence[LogEntry]) -> dict[int, int]:
    """When each squash-merged PR was opened, at the latest: PR numbers are handed out in
    order, so #N was opened before any later-numbered PR landed. A squash commit keeps no
    other trace of when its work began."""
    landed = sorted(
        ((n, e.time) for e in entries if len(e.parents) < 2 and (n := pr_number(e.subject))),
        reverse=True,
    )
    starts: dict[int, int] = {}
    earliest: int | None = None
    for number, time in landed:  # highest number first
        if number not in starts:
            starts[number] = time if earliest is None else min(time, earliest)
        earliest = time if earliest is None else min(earliest, time)
    return starts


def _extend(item: _Pending, entry: LogEntry, commit: Commit, landed: int) -> None:
    item.commits = (*item.commits, commit)
    item.head = entry.sha
    if item.window is not None:
        item.window = (item.window[0], landed)


def _drop_reverted_and_picked(pending: list[_Pending], skipped: list[Skipped]) -> list[_Pending]:
    """Work that was reverted in the range, the reverts themselves, and commits
    cherry-picked from work already in the range are not lines of work of their own."""
    by_sha = {c.sha: p for p in pending for c in p.commits}
    by_number = {p.number: p for p in pending if p.number is not None}
    # a squash-merged revert may say only `Revert "<title>" (#N)`: the title of the PR it
    # reverts, whose own squash commit is `<title> (#M)` (Roo-Code #11083 reverted #10913
    # so, and the code #10913 had deleted came back as #11083's "new" code)
    by_title: dict[str, list[tuple[int, _Pending]]] = defaultdict(list)
    for at, p in enumerate(pending):
        for c in p.commits:
            by_title[_PR_SUFFIX.sub("", c.subject).strip()].append((at, p))
    dropped: dict[int, str] = {}
    for at, p in enumerate(pending):
        for c in p.commits:
            body = f"{c.subject}\n{c.body}"
            reverted = [by_sha.get(_full(sha, by_sha)) for sha in _REVERTS_COMMIT.findall(body)]
            reverted += [by_number.get(int(n)) for n in _REVERTS_PR.findall(body)]
            titled = _REVERTS_TITLE.match(_PR_SUFFIX.sub("", c.subject).strip())
            if not reverted and titled:
                earlier = [t for i, t in by_title.get(titled.group(2), []) if i < at]
                reverted += earlier[-1:]
            if c.subject.startswith(('Revert "', "Revert '")):
                for target in filter(None, reverted):
                    if target is not p:
                        dropped.setdefault(id(target), f"reverted by {p.name}")
                        dropped.setdefault(id(p), f"reverts {target.name}")
            for sha in _CHERRY_PICKED.findall(body):
                source = by_sha.get(_full(sha, by_sha))
                if source is not None and source is not p and len(p.commits) == 1:
                    dropped.setdefault(id(p), f"cherry-picked from {source.name}: the same patch")
    kept = []
    for p in pending:
        why = dropped.get(id(p))
        if why is None:
            kept.append(p)
        else:
            skipped.append(Skipped(p.name, f"{why}; not compared with other work", p.name))
    return kept


def _full(short: str, known: Mapping[str, object]) -> str:
    if short in known:
        return short
    return next((sha for sha in known if sha.startswith(short)), short)


class _Sides:
    """What each merge on the first-parent chain brought in, from one log of the range.

    Walking the chain oldest first, every commit is given the position of the first
    first-parent commit that made it reachable; a merge's side is what it brought, one
    side per merged parent (an octopus merge has several).
    """

    def __init__(self, every: Sequence[LogEntry], head: str) -> None:
        self.by_sha = {e.sha: e for e in every}
        self.order = {e.sha: i for i, e in enumerate(every)}  # git log order, newest first
        chain: list[LogEntry] = []
        sha: str | None = head
        while sha in self.by_sha:
            entry = self.by_sha[sha]
            chain.append(entry)
            sha = entry.parents[0] if entry.parents else None
        chain.reverse()
        self.first_parent = chain
        self.landed: dict[str, int] = {}
        self._sides: dict[str, list[tuple[str, list[str]]]] = {}
        for i, entry in enumerate(chain):
            self.landed[entry.sha] = i
            per_parent: list[tuple[str, list[str]]] = []
            for tip in entry.parents[1:]:
                brought: list[str] = []
                stack = [tip]
                while stack:
                    c = stack.pop()
                    if c in self.landed or c not in self.by_sha:
                        continue
                    self.landed[c] = i
                    brought.append(c)
                    stack.extend(self.by_sha[c].parents)
                per_parent.append((tip, brought))
            self._sides[entry.sha] = per_parent

    def sides(self, merge: str) -> list[tuple[str, list[LogEntry], list[str]]]:
        """Each merged parent's tip, its side (newest first) and the boundary commits it
        grew from."""
        out = []
        for tip, brought in self._sides.get(merge, []):
            shas = sorted(brought, key=self.order.__getitem__)
            inside = set(shas)
            boundary = sorted({p for c in shas for p in self.by_sha[c].parents if p not in inside})
            out.append((tip, [self.by_sha[c] for c in shas], boundary))
        return out


def _dedupe_names(pending: Sequence[_Pending]) -> None:
    seen: dict[str, int] = {}
    for item in pending:
        count = seen.get(item.name, 0) + 1
        seen[item.name] = count
        if count > 1:
            item.name = f"{item.name} ({count})"


# -- pre-merge ----------------------------------------------------------------------


def _unmerged_local_branches(git: Git, into: str, target_head: str) -> list[str]:
    out = git.text("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
    names = []
    for line in out.splitlines():
        name, sha = line.rsplit(" ", 1)
        if name == into or sha == target_head:
            continue
        if not git.is_ancestor(sha, target_head):
            names.append(name)
    return names


def _from_branch(
    git: Git, name: str, target_head: str, into: str, skipped: list[Skipped]
) -> list[_Pending]:
    head = git.resolve(name)
    base = git.merge_base(head, target_head)
    if base is None:
        if git.is_shallow():
            raise ShallowHistory(
                f"{name!r} and {into!r} meet beyond the shallow clone", "git fetch --unshallow"
            )
        raise RepoError(f"{name!r} shares no history with {into!r}", "check --into")
    commits = git.log(f"{base}..{head}", no_merges=True)
    if not commits:
        skipped.append(Skipped(f"branch {name}", f"no commits of its own against {into}"))
        return []
    return [
        _Pending(
            name,
            "branch",
            head,
            base,
            tuple(Commit(e.sha, e.subject, e.body) for e in reversed(commits)),
        )
    ]


def _from_worktrees(
    git: Git, target_head: str, into: str, skipped: list[Skipped]
) -> list[_Pending]:
    pending: list[_Pending] = []
    for tree in git.worktrees():
        if tree.bare or tree.head is None or is_throwaway(tree.path):
            continue  # idealize's own throwaway worktrees are never the user's work
        path = Path(tree.path)
        name = tree.branch or f"detached {tree.head[:7]}"
        label = f"worktree {_relative(path, git.root)}"
        if not path.exists():
            skipped.append(
                Skipped(label, "worktree folder is missing (git worktree prune removes it)")
            )
            continue
        conflicts = git.unmerged_paths(path)
        snapshot = git.snapshot_worktree(path)
        head_tree = git.text("rev-parse", f"{tree.head}^{{tree}}").strip()
        uncommitted = snapshot != head_tree
        base = git.merge_base(tree.head, target_head)
        if base is None:
            skipped.append(Skipped(label, f"shares no history with {into}"))
            continue
        raw, patch = git.diff(base, snapshot)
        if not raw:
            skipped.append(Skipped(label, f"no changes against {into}", name))
            continue
        commits = git.log(f"{base}..{tree.head}", no_merges=True)
        item = _Pending(
            name,
            "worktree",
            snapshot if uncommitted else tree.head,
            base,
            tuple(Commit(e.sha, e.subject, e.body) for e in reversed(commits)),
            raw,
            patch,
            uncommitted=uncommitted,
            worktree=tree.path,
        )
        for p in conflicts:
            item.skipped.append(Skipped(p, "unresolved merge conflict in the worktree", name))
        pending.append(item)
    return pending


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# -- symbols --------------------------------------------------------------------------


def _hunks_by_path(patch: str) -> tuple[dict[str, list[Hunk]], set[str]]:
    try:
        patchset = PatchSet(patch)
    except UnidiffParseError as exc:
        raise RepoError(
            f"could not read git's diff output: {exc}", "run with --debug and report this"
        ) from exc
    result: dict[str, list[Hunk]] = {}
    binary: set[str] = set()
    for pf in patchset:
        path = pf.path
        if pf.is_binary_file:
            binary.add(path)
            continue
        hunks: list[Hunk] = []
        for h in pf:
            removed = tuple(line.value.rstrip("\n") for line in h if line.is_removed)
            added = tuple(line.value.rstrip("\n") for line in h if line.is_added)
            hunks.append(
                Hunk(
                    h.source_start, h.source_length, h.target_start, h.target_length, removed, added
                )
            )
        result[path] = hunks
    return result, binary


_CONFLICT = re.compile(r"^(<{7} |>{7} |={7}$)")


# parsed changes hold symbols: a new parser makes them stale too
CHANGES_VERSION = f"changes-2-{PARSER_VERSION}"


def _encode_files(files: Sequence[FileChange], skipped: Sequence[Skipped]) -> str:
    def file(f: FileChange) -> dict[str, object]:
        row: dict[str, object] = {k.name: getattr(f, k.name) for k in dataclasses.fields(f)}
        row["hunks"] = [
            [h.old_start, h.old_lines, h.new_start, h.new_lines, h.removed, h.added]
            for h in f.hunks
        ]
        row["symbols"] = [[getattr(s, k.name) for k in dataclasses.fields(s)] for s in f.symbols]
        return row

    return json.dumps(
        {
            "files": [file(f) for f in files],
            "skipped": [[x.what, x.reason, x.branch] for x in skipped],
        }
    )


def _decode_files(text: str) -> tuple[tuple[FileChange, ...], list[Skipped]]:
    data = json.loads(text)
    files = tuple(
        FileChange(
            **{
                **f,
                "hunks": tuple(
                    Hunk(a, b, c, d, tuple(rem), tuple(add)) for a, b, c, d, rem, add in f["hunks"]
                ),
                "symbols": tuple(SymbolChange(*x) for x in f["symbols"]),
            }
        )
        for f in data["files"]
    )
    return files, [Skipped(*x) for x in data["skipped"]]


SMALL_RANGE = 8  # branches whose diffs are read before parsing starts, to size the pool


def _diffs(
    git: Git, todo: Sequence[_Pending], workers: int, excluder: Excluder
) -> Iterator[_Pending]:
    """Each branch with its diff read, in order, while git already reads the next ones
    (``workers`` git processes at a time), without the files the configuration excludes."""
    if workers <= 1:
        for p in todo:
            _leave_out(p, *git.diff(p.base, p.head), excluder)
            yield p
        return
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(git.diff, p.base, p.head) for p in todo]
        for p, future in zip(todo, futures, strict=True):
            _leave_out(p, *future.result(), excluder)
            yield p
    finally:
        pool.shutdown(cancel_futures=True)  # on an error, the diffs not started are dropped


def _leave_out(p: _Pending, raw: list[RawChange], patch: str, excluder: Excluder) -> None:
    """The branch's diff, without the files the configuration excludes, before the patch is
    parsed: a build's output committed beside the source (claude-code-router's compiled
    tests, 5.7 of its 6.2 million changed lines) costs nothing then."""
    out = [
        rc
        for rc in raw
        if excluder.excluded(rc.path)
        or (rc.old_path is not None and excluder.excluded(rc.old_path))
    ]
    if not out:
        p.raw, p.patch = raw, patch
        return
    headers = {f"diff --git a/{rc.old_path or rc.path} b/{rc.path}" for rc in out}
    sections = _FILE_SECTION.split(patch)
    gone = set(out)
    p.raw = [rc for rc in raw if rc not in gone]
    p.patch = "".join(x for x in sections if x.split("\n", 1)[0] not in headers)
    p.excluded = [rc.path for rc in out]


# where each file's part of a patch begins
_FILE_SECTION = re.compile(r"(?m)^(?=diff --git )")


def _wanted(p: _Pending) -> list[tuple[str, str]]:
    """The (blob, language) pairs whose symbols a branch needs."""
    wanted: list[tuple[str, str]] = []
    for rc in p.raw or ():
        lang = language_of(rc.path)
        if lang is None or rc.new_mode == "160000" or rc.old_mode == "160000":
            continue
        for blob in (rc.old_blob, rc.new_blob):
            if blob:
                wanted.append((blob, lang))
    return wanted


def _submit(
    parser: ParsePool,
    p: _Pending,
    hunks: tuple[dict[str, list[Hunk]], set[str]],
    contents: dict[str, bytes],
) -> None:
    """Hand a branch's files to the parser: the new side of a changed text file with the
    old side (its source too when that is to be parsed) and the hunks between them, so
    the new side can be parsed incrementally; any other file on its own."""
    by_path, binary = hunks
    for rc in p.raw or ():
        lang = language_of(rc.path)
        if lang is None:
            continue
        old, new = rc.old_blob, rc.new_blob
        if new and new in contents and old and rc.path not in binary:
            edits = [
                (h.old_start, h.old_lines, h.new_start, h.new_lines)
                for h in by_path.get(rc.path, ())
            ]
            parser.submit_change(
                rc.path, lang, (old, contents.get(old)), (new, contents[new]), edits
            )
        else:
            parser.submit((b, lang, contents[b]) for b in (old, new) if b and b in contents)


def _finish(
    git: Git,
    pending: list[_Pending],
    index: SymbolIndex,
    max_bytes: int,
    excluder: Excluder,
    skipped: list[Skipped],
    progress: Progress,
    clock: Clock,
) -> list[Branch]:
    """Diffs, blobs and symbols of every branch, streamed: while git reads the next diffs
    and the pool parses the files already read, this thread splits diffs into hunks and
    fetches blobs. The wait for the last parses is charged to this stage."""
    # commit ranges never change: a branch collected before is read back from the cache
    keys = [f"{p.base}..{p.head}:{max_bytes}:{excluder.key}" for p in pending]
    done = index.store.get_many(CHANGES_VERSION, keys)
    fresh = [p for p, k in zip(pending, keys, strict=True) if k not in done]
    parsed_hunks: dict[int, tuple[dict[str, list[Hunk]], set[str]]] = {}
    sizes: dict[str, int] = {}
    if fresh:
        clock.switch("parse.diffs")
        # A few branches' diffs are read first, to size the pool: a handful of files is
        # parsed here, since forking workers costs more than it saves for them. Otherwise
        # the pool forks before git's reader threads start, and parses while they read.
        early = list(_diffs(git, fresh, 1, excluder)) if len(fresh) <= SMALL_RANGE else None
        expected = None if early is None else sum(len(_wanted(p)) for p in early)
        with index.pool(expected) as parser, git.blobs() as reader:
            stream = (
                iter(early) if early is not None else _diffs(git, fresh, index.workers, excluder)
            )
            for n, p in enumerate(stream, start=1):
                clock.switch("parse.hunks")
                parsed_hunks[id(p)] = _hunks_by_path(p.patch or "")
                p.patch = None  # split into hunks: the text is no longer needed
                clock.switch("parse.blobs")
                wanted = _wanted(p)
                sizes.update(reader.sizes([b for b, _ in wanted if b not in sizes]))
                known = index.cached(wanted)
                todo = [
                    (b, lang)
                    for b, lang in dict.fromkeys(wanted)
                    if (b, lang) not in known and sizes.get(b, max_bytes + 1) <= max_bytes
                ]
                contents = reader.read_batch([b for b, _ in todo])
                clock.switch("parse.symbols")
                _submit(parser, p, parsed_hunks[id(p)], contents)
                progress("symbols", n, len(fresh))
                clock.switch("parse.diffs")
            clock.switch("parse.symbols")
            parser.wait()
    clock.switch("parse.build")
    branches: list[Branch] = []
    new_entries: list[tuple[str, str]] = []
    for p, key in zip(pending, keys, strict=True):
        if key in done:
            files, file_skips = _decode_files(done[key])
        else:
            hunks, binary = parsed_hunks[id(p)]
            file_skips = [
                Skipped(path, "excluded by the configuration", p.name) for path in p.excluded
            ]
            files = tuple(
                _file_change(p, rc, hunks, binary, index, sizes, max_bytes, file_skips)
                for rc in p.raw or ()
            )
            new_entries.append((key, _encode_files(files, file_skips)))
        skipped.extend(file_skips)
        skipped.extend(p.skipped)
        branches.append(
            Branch(
                name=p.name,
                kind=p.kind,
                head=p.head,
                base=p.base,
                commits=p.commits,
                files=files,
                uncommitted=p.uncommitted,
                worktree=p.worktree,
                window=p.window,
                number=p.number,
                refers=_references(p.commits, p.number),
            )
        )
    clock.switch("parse.cache")
    index.flush()
    if new_entries:
        index.store.put_many(CHANGES_VERSION, new_entries)
    return branches


def _file_change(
    p: _Pending,
    rc: RawChange,
    hunks: dict[str, list[Hunk]],
    binary: set[str],
    index: SymbolIndex,
    sizes: dict[str, int],
    max_bytes: int,
    skipped: list[Skipped],
) -> FileChange:
    status = {"A": "added", "D": "deleted", "R": "renamed", "C": "added"}.get(rc.status, "modified")
    lang = language_of(rc.path)
    base = FileChange(
        path=rc.path,
        status=status,  # type: ignore[arg-type]
        old_path=rc.old_path,
        language=lang,
        old_blob=rc.old_blob,
        new_blob=rc.new_blob,
    )
    if "160000" in (rc.old_mode, rc.new_mode):
        skipped.append(Skipped(rc.path, "submodule: only its pointer moved; not analysed", p.name))
        return _replace(base, language=None)
    if "120000" in (rc.old_mode, rc.new_mode):
        skipped.append(Skipped(rc.path, "symbolic link: not analysed", p.name))
        return _replace(base, language=None)
    if rc.path in binary:
        skipped.append(Skipped(rc.path, "binary file: not analysed", p.name))
        return _replace(base, language=None)
    file_hunks = tuple(hunks.get(rc.path, ()))
    base = _replace(base, hunks=file_hunks)
    added_text = [line for h in file_hunks for line in h.added]
    if any(_CONFLICT.match(line) for line in added_text):
        skipped.append(
            Skipped(rc.path, "unresolved conflict markers: symbols not analysed", p.name)
        )
        return _replace(base, language=None)
    if any(_has_surrogates(line) for h in file_hunks for line in (*h.added, *h.removed)):
        skipped.append(
            Skipped(rc.path, "not UTF-8 text: kept at hunk level, symbols not analysed", p.name)
        )
        return _replace(base, language=None)
    if lang is None:
        return base
    if any(b and b not in sizes for b in (rc.old_blob, rc.new_blob)):
        skipped.append(
            Skipped(
                rc.path,
                "its content is missing from this clone (a partial clone, or damage that "
                "`git fsck` shows): not analysed",
                p.name,
            )
        )
        return _replace(base, language=None)
    too_big = [b for b in (rc.old_blob, rc.new_blob) if b and sizes.get(b, 0) > max_bytes]
    if too_big:
        size = max(sizes.get(b, 0) for b in too_big)
        skipped.append(
            Skipped(
                rc.path,
                f"large file ({size:,} bytes > {max_bytes:,}): kept at hunk level, symbols not parsed",
                p.name,
            )
        )
        return base
    old = index.get(rc.old_blob, lang, None) if rc.old_blob else ()
    new = index.get(rc.new_blob, lang, None) if rc.new_blob else ()
    return _replace(base, symbols=symbol_changes(old, new, file_hunks))


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogates(text: str) -> bool:
    """Bytes that were not UTF-8 come back from the decoder as lone surrogates."""
    return _SURROGATE.search(text) is not None


def _replace(fc: FileChange, **kwargs: object) -> FileChange:
    from dataclasses import replace

    return replace(fc, **kwargs)  # type: ignore[arg-type]


def _touched(start: int, end: int, lines: list[tuple[int, int]]) -> bool:
    return any(s <= end and start <= e for s, e in lines)


def symbol_changes(
    old: Sequence[Symbol], new: Sequence[Symbol], hunks: Sequence[Hunk]
) -> tuple[SymbolChange, ...]:
    """What each hunk did to the definitions of one file: added, modified, deleted or renamed."""
    old_by = {s.name: s for s in old}
    new_by = {s.name: s for s in new}
    # with --unified=0 a pure insertion has old_lines 0 and sits *after* old_start
    old_ranges = [(h.old_start, h.old_start + h.old_lines - 1) for h in hunks if h.old_lines]
    new_ranges = [(h.new_start, h.new_start + h.new_lines - 1) for h in hunks if h.new_lines]
    changes: list[SymbolChange] = []
    deleted = [s for name, s in old_by.items() if name not in new_by]
    added = [s for name, s in new_by.items() if name not in old_by]
    renamed_to: dict[str, Symbol] = {}
    for d in deleted:
        for a in added:
            if a.kind == d.kind and a.body_hash == d.body_hash and a.name not in renamed_to:
                renamed_to[a.name] = d
                break
    renamed_old = {d.name for d in renamed_to.values()}
    for s in new:
        prior = old_by.get(s.name)
        if prior is None:
            was = renamed_to.get(s.name)
            kind: ChangeKind = "renamed" if was else "added"
            changes.append(
                SymbolChange(
                    s.name,
                    s.kind,
                    kind,
                    was.start_line if was else None,
                    was.end_line if was else None,
                    s.start_line,
                    s.end_line,
                    renamed_from=was.name if was else None,
                )
            )
        elif prior.body_hash != s.body_hash and (
            _touched(s.start_line, s.end_line, new_ranges)
            or _touched(prior.start_line, prior.end_line, old_ranges)
        ):
            changes.append(
                SymbolChange(
                    s.name,
                    s.kind,
                    "modified",
                    prior.start_line,
                    prior.end_line,
                    s.start_line,
                    s.end_line,
                )
            )
    for d in deleted:
        if d.name not in renamed_old:
            changes.append(
                SymbolChange(d.name, d.kind, "deleted", d.start_line, d.end_line, None, None)
            )
    return tuple(changes)
