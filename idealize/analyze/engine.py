"""The static engine: runs every detector and gathers findings, verdicts and review units."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from idealize.analyze.context import Context
from idealize.analyze.features import FeatureStore, calls_only
from idealize.analyze.head import TreeView
from idealize.analyze.locate import map_findings
from idealize.analyze.overlap import module_overlaps
from idealize.analyze.pieces import Piece, branch_pieces, existing_pieces
from idealize.analyze.rank import rank
from idealize.analyze.rules import RULES, Rule
from idealize.analyze.units import build_units
from idealize.cache import Cache
from idealize.codec import from_data, to_data
from idealize.repo.git import BlobReader, Git
from idealize.repo.languages import family
from idealize.repo.symbols import SymbolIndex
from idealize.repo.throwaway import worker_signals
from idealize.types import (
    Branch,
    Finding,
    Location,
    ModuleOverlap,
    Progress,
    Unit,
    concurrent,
    no_progress,
)
from idealize.version import source_fingerprint


@dataclass(frozen=True)
class Analysis:
    modules: tuple[ModuleOverlap, ...]
    findings: tuple[Finding, ...]
    units: tuple[Unit, ...]
    notes: tuple[str, ...]
    pieces: tuple[Piece, ...]
    existing: tuple[Piece, ...] = ()


def analyze(
    git: Git,
    branches: Sequence[Branch],
    target_head: str,
    cache: Cache,
    progress: Progress = no_progress,
    merged: bool = False,
    rule_params: Mapping[str, Any] | None = None,
    need_pieces: bool = True,
    workers: int | None = None,
) -> Analysis:
    """``rule_params``: kind -> parameters object (default: each rule's own defaults).
    ``workers``: processes to use (None: the cores, at most 4); never changes the result.

    What the detectors find is a function of the collected branches, the target tree, the
    parameters and idealize's own code, so it is kept in the cache under a hash of all four
    (``ANALYSIS_NS``): a second run over the same range (offline first, then with a model;
    ``--all``; another output format) skips the detectors. ``need_pieces=False`` (nothing
    will pack code for a model) then skips cutting the pieces too."""
    params = rule_params or {}
    key = _memo_key(branches, target_head, merged, params)
    found = _memo_get(cache, key)
    if found is not None:
        if not need_pieces:
            progress("analyze", 5, 5)
            return found
        store, pieces, existing, _ = _cut(git, branches, target_head, cache, progress, [], workers)
        store.flush()
        progress("analyze", 5, 5)
        return replace(found, pieces=tuple(pieces), existing=tuple(existing))
    result = _analyze(git, branches, target_head, cache, progress, merged, params, workers)
    memo = _Memo(result.modules, result.findings, result.units, result.notes)
    cache.put(ANALYSIS_NS, key, json.dumps(to_data(memo)))
    return result


# the cache namespace of analysis results (see ``analyze``); the key carries the code's own
# fingerprint, so the name only changes if the stored shape does
ANALYSIS_NS = "analysis-1"
# the code is hashed as it is imported, with the detectors this module just imported: a
# hash taken later, at the first analysis, could be of files edited since, and would key
# what the old code found under the new code's name
_SOURCE = source_fingerprint()


@dataclass(frozen=True)
class _Memo:
    modules: tuple[ModuleOverlap, ...]
    findings: tuple[Finding, ...]
    units: tuple[Unit, ...]
    notes: tuple[str, ...]


def _memo_key(
    branches: Sequence[Branch], target_head: str, merged: bool, params: Mapping[str, Any]
) -> str:
    digest = hashlib.sha256()
    for part in (
        _SOURCE,
        target_head,
        str(merged),
        repr(sorted(params.items())),
        repr(tuple(branches)),  # every field: heads, blobs, hunks, commits, times
    ):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _memo_get(cache: Cache, key: str) -> Analysis | None:
    text = cache.get(ANALYSIS_NS, key)
    if text is None:
        return None
    try:
        memo = from_data(_Memo, json.loads(text))
    except (ValueError, TypeError, KeyError, RecursionError):
        # written by something else: computed again and overwritten, and not a hit
        cache.hits[ANALYSIS_NS] -= 1
        cache.misses[ANALYSIS_NS] += 1
        return None
    return Analysis(memo.modules, memo.findings, memo.units, memo.notes, (), ())


def _cut(
    git: Git,
    branches: Sequence[Branch],
    target_head: str,
    cache: Cache,
    progress: Progress,
    notes: list[str],
    workers: int | None = None,
) -> tuple[FeatureStore, list[Piece], list[Piece], dict[str, tuple[str, str, str]]]:
    """The branches' pieces, the target's own code near what they touched, and the names
    the target defines (with the feature store they were cut through)."""
    store = FeatureStore(cache)
    index = SymbolIndex(cache, workers)
    pieces = branch_pieces(git, branches, store, index.workers)
    progress("analyze", 1, 5)
    touched = {(p.path, p.symbol) for p in pieces} | {
        (f.path, s.renamed_from)
        for b in branches
        for f in b.files
        for s in f.symbols
        if s.renamed_from
    }
    # what a branch added that another branch then moved is still that branch's new code
    # at its new path, not code already on the target (mem0 #5491 moved four plugins
    # under integrations/: each function they had added was "resolved" as a copy of itself)
    by_path: dict[str, set[str]] = defaultdict(set)
    for p in pieces:
        if p.change == "added":
            by_path[p.path].add(p.symbol)
    touched |= {
        (f.path, symbol)
        for b in branches
        for f in b.files
        if f.old_path and f.old_path != f.path
        for symbol in by_path.get(f.old_path, ())
    }
    families = {family(p.language) for p in pieces}
    if not families:
        return store, pieces, [], {}
    existing, defined = existing_pieces(
        git,
        target_head,
        index,
        families,
        touched,
        notes,
        near={p.path for p in pieces},
        store=store,
    )
    return store, pieces, existing, defined


def _analyze(
    git: Git,
    branches: Sequence[Branch],
    target_head: str,
    cache: Cache,
    progress: Progress,
    merged: bool,
    params: Mapping[str, Any],
    workers: int | None = None,
) -> Analysis:
    notes: list[str] = []
    modules = module_overlaps(branches)
    store, pieces, existing, defined = _cut(
        git, branches, target_head, cache, progress, notes, workers
    )
    on_target = frozenset(defined)  # names the target tree still defines
    for p in pieces:
        if p.change in ("deleted", "renamed"):
            defined.setdefault(p.short, (p.path, p.symbol, p.kind))
    store.flush()
    progress("analyze", 2, 5)
    findings: list[Finding] = []
    by_name = {b.name: b for b in branches}

    def parallel(a: str | None, b: str | None) -> bool:
        if a is None or b is None or a not in by_name or b not in by_name:
            return True
        return concurrent(by_name[a], by_name[b])

    symbols = SymbolIndex(cache, workers)
    blobs = BlobReader(git)  # one `git cat-file` for every view of the run
    head = TreeView(git, target_head, symbols, reader=blobs)
    trees = {b.name: head.sibling(b.head) for b in branches}
    file_calls = _FileCalls(blobs, branches)
    ctx = Context(
        git=git,
        branches=tuple(branches),
        pieces=tuple(pieces),
        existing=tuple(existing),
        defined=defined,
        on_target=on_target,
        merged_tree=target_head if merged else None,
        parallel=parallel,
        file_calls=file_calls,
        head=head,
        trees=trees,
    )
    try:
        findings += detect_all(ctx, params, symbols.workers)
    finally:
        blobs.close()  # read again below if need be, and closed at the end
        symbols.flush()
        store.flush()
    progress("analyze", 4, 5)
    heads = {b.name: b.head for b in branches}
    located = map_findings(
        [_provenance(_enclose(f, pieces), heads, target_head) for f in findings],
        head,
        trees,
        merged,
    )
    findings = rank(
        _dedupe(located),
        len(branches),
        {r.kind: params.get(r.kind) or r.params for r in RULES},
    )
    pieces_at: dict[tuple[str | None, str], list[Piece]] = {}
    for p in pieces:
        pieces_at.setdefault((p.branch, p.path), []).append(p)
    named = {b.name: b for b in branches}
    modules = tuple(
        _conflicted(m, head, notes)
        if merged and _CONFLICT_MARKER.search(head.text(m.path) or "")
        else _verdict(m, findings, pieces_at, [named[n] for n in m.branches if n in named])
        for m in modules
    )
    blobs.close()
    # what was resolved since needs no review: it gets no unit
    units = build_units([f for f in findings if f.status == "open"], modules, pieces)
    progress("analyze", 5, 5)
    return Analysis(modules, tuple(findings), units, tuple(notes), tuple(pieces), tuple(existing))


# pieces (new and existing) below which the fork is not worth it: on a sample range (a few
# hundred pieces, 37 ms of detection in one process) forking added 2-11 ms and saved
# nothing; a 400-branch generated history has 10,000 pieces and saves 2.5 s
FORK_MIN_PIECES = 2000


def detect_all(ctx: Context, params: Mapping[str, Any], workers: int) -> list[Finding]:
    """Every rule's findings, in the registry's order. With two workers or more, and at
    least ``FORK_MIN_PIECES`` pieces to compare, the first rule (duplicates, the costliest:
    4.2 of 6.8 s of detection on a generated history of 400 branches) runs in a forked
    process while this one runs the others, and its findings come back through a pipe: the
    same findings in the same order as one process finds them, since each rule reads the
    context and none writes to it. The fork shares the context as it is; what holds a pipe
    or a connection (the blob reader, the cache) opens its own in the child."""
    first, rest = RULES[0], RULES[1:]
    if (
        workers < 2
        or len(ctx.pieces) + len(ctx.existing) < FORK_MIN_PIECES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [f for r in RULES for f in r.run(ctx, params.get(r.kind))]
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_detect_in_child, args=(send, first, ctx, params.get(first.kind)))
    child.start()
    send.close()
    try:
        others = [f for r in rest for f in r.run(ctx, params.get(r.kind))]
        try:
            found: list[Finding] = receive.recv()
        except EOFError:
            # the child failed or was killed before it answered: the rule runs again here,
            # where an error it raises surfaces as any other would, with its traceback
            found = first.run(ctx, params.get(first.kind))
        child.join(10)  # it has answered and is leaving; stopped below if it does not
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()
    return found + others


def _detect_in_child(send: Any, rule: Rule, ctx: Context, params: Any) -> None:
    """In the forked process: run one rule and send its findings. A failure sends nothing
    and ends the process; the parent then runs the rule itself (see ``detect_all``)."""
    worker_signals()
    try:
        found = rule.run(ctx, params)
    except BaseException:  # not swallowed: the parent runs the rule again and raises it
        send.close()
        os._exit(1)
    send.send(found)
    send.close()


def _enclose(f: Finding, pieces: Sequence[Piece]) -> Finding:
    """Name the symbol around a bare line location, when a branch's piece covers it."""
    locs = []
    for loc in f.locations:
        if loc.symbol is None and loc.start_line is not None:
            inner = [
                p
                for p in pieces
                if p.branch == loc.branch
                and p.path == loc.path
                and p.start_line <= loc.start_line <= p.end_line
            ]
            if inner:
                best = min(inner, key=lambda p: p.end_line - p.start_line)
                loc = Location(loc.path, best.symbol, loc.start_line, loc.end_line, loc.branch)
        locs.append(loc)
    return replace(f, locations=tuple(locs))


def _provenance(f: Finding, heads: Mapping[str, str], target_head: str) -> Finding:
    """Name each location's tree: the branch that brought it, or the target for code that
    was already there."""
    locs = tuple(
        loc
        if loc.commit is not None
        else replace(loc, tree="branch", commit=heads[loc.branch])
        if loc.branch is not None and loc.branch in heads
        else replace(loc, tree="head", commit=target_head)
        for loc in f.locations
    )
    return replace(f, locations=locs)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per set of places. Duplicates are told by place alone: the same copies
    found twice, once from each side, are one finding whichever branch each is labelled
    with (on ccusage, four report commands were listed twice with their labels swapped)."""
    kept: dict[tuple[str, frozenset[tuple[str, str | None, str | None]]], Finding] = {}
    for f in findings:
        places = frozenset(
            (loc.path, loc.symbol, None if f.kind == "duplicate" else loc.branch)
            for loc in f.locations
        )
        key = (f.kind, places)
        if key not in kept or f.confidence > kept[key].confidence:
            kept[key] = f
    return list(kept.values())


class _FileCalls:
    """Calls made anywhere in a changed file's new version, read only when asked for, once
    per content (branches that leave a file the same share its reading)."""

    def __init__(self, reader: BlobReader, branches: Sequence[Branch]) -> None:
        self._reader = reader
        self._files = {(b.name, f.path): f for b in branches for f in b.files}
        self._memo: dict[str, frozenset[str]] = {}

    def __call__(self, branch: str | None, path: str) -> frozenset[str]:
        f = self._files.get((branch, path)) if branch is not None else None
        if f is None or not f.new_blob or not f.language:
            return frozenset()
        if f.new_blob not in self._memo:
            calls: frozenset[str] = frozenset()
            data = self._reader.read(f.new_blob)
            if data is not None and len(data) < 1_000_000:
                calls = calls_only(data.decode("utf-8", "replace"), f.language).calls
            self._memo[f.new_blob] = calls
        return self._memo[f.new_blob]


_IMPORT = re.compile(r"^\s*(import\b|from\b|export\s+[{*]|use\b|#include\b|require\b|package\b)")
_LOG = re.compile(r"\b(log|logger|logging|console|print|println|printf|debugPrint)\b")
_ENTRY = re.compile(r"""^\s*["'\w./:-]+["']?\s*[:=,]\s*.*[,;]?\s*$|^\s*\w+\s*,?\s*$""")


def _line_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if _IMPORT.match(line):
        return "import"
    if _LOG.search(line):
        return "log"
    if _ENTRY.match(line):
        return "entry"
    return "code"


_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) |^={7}$", re.M)


def _conflicted(m: ModuleOverlap, head: TreeView, notes: list[str]) -> ModuleOverlap:
    """A merge committed the file with its conflict markers: never benign."""
    text = head.text(m.path) or ""
    line = text[: _CONFLICT_MARKER.search(text).start()].count("\n") + 1  # type: ignore[union-attr]
    notes.append(
        f"`{m.path}` holds unresolved conflict markers at HEAD (line {line}), committed by a merge."
    )
    return replace(
        m,
        verdict=f"Conflict: unresolved conflict markers at HEAD (line {line}) between "
        f"{', '.join(m.branches)}; resolve them first.",
    )


def _verdict(
    m: ModuleOverlap,
    findings: Sequence[Finding],
    pieces_at: dict[tuple[str | None, str], list[Piece]],
    branches: Sequence[Branch],
) -> ModuleOverlap:
    touching = [
        f
        for f in findings
        if f.status == "open"
        and any(loc.path == m.path and loc.branch in m.branches for loc in f.locations)
    ]
    ids = [f.id for f in touching if f.tier == "finding"]
    if ids:
        return replace(m, verdict=f"Drift: see {', '.join(ids)}.")
    leads = [f.id for f in touching]
    parts: list[str] = []
    kinds: set[str] = set()
    for b in branches:
        if b.name not in m.branches:
            continue
        f = b.file(m.path)
        if f is None:
            continue
        own = pieces_at.get((b.name, m.path), [])
        lines = [line for h in f.hunks for line in (*h.added, *h.removed)]
        kinds |= {_line_kind(line) for line in lines}
        if own:
            parts.append(
                f"{b.name} {'/'.join(sorted({p.change for p in own}))} {', '.join(f'`{p.symbol}`' for p in own[:3])}"
            )
        else:
            parts.append(f"{b.name} changes {len(lines)} module-level line(s)")
    shared = {s.name for s in m.symbols}
    if shared:
        why = f"both change {', '.join(f'`{s}`' for s in sorted(shared))}, but their added lines share no literals, calls or intent"
    elif not kinds - {"blank"}:
        why = "only blank lines or file moves"
    elif kinds - {"blank"} <= {"import", "log", "entry"}:
        what = sorted(k for k in kinds if k in ("import", "log", "entry"))
        names = {"import": "import/export lines", "log": "log lines", "entry": "table entries"}
        why = "only " + ", ".join(names[k] for k in what) + ", in different places"
    else:
        why = "the branches change different definitions with nothing in common"
    if leads:
        return replace(
            m,
            verdict=f"Unverified: candidate(s) {', '.join(leads)} point here, below the bar "
            f"for a finding ({'; '.join(parts)}).",
        )
    return replace(m, verdict=f"Benign: {why} ({'; '.join(parts)}).")
