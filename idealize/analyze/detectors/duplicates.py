"""Duplicate implementations: the same concept built twice, under other names.

Signals, combined into one score per candidate pair:
- distinctive literals (URLs, endpoints, keys, SQL, env vars, file names) and external
  calls, weighted by how rare they are in the repository (IDF);
- normalised token 4-grams (structure), compared with MinHash/LSH so the candidate
  search never goes all-pairs;
- identifier sub-tokens folded over synonyms (`list_models` ~ `fetch_available`).
Pairs come from an inverted index over rare features plus LSH buckets; accepted pairs
are grouped with union-find and each group is reported once.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from idealize.analyze.context import Context
from idealize.analyze.features import KEYWORDS, distinctive
from idealize.analyze.minhash import LSH
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.repo.languages import family
from idealize.types import Finding, Parallel, always_parallel


@dataclass(frozen=True)
class DuplicateParams:
    impact: float = param(
        0.5, "a copy costs maintenance, not correctness: ranked below what breaks"
    )
    threshold: float = param(
        0.42,
        "score a pair needs to be reported; below it, sample pairs that only share layout "
        "or a common library call appeared (the threshold sweep prints the neighbourhood)",
    )
    max_df: int = param(
        40,
        "a literal or call shared by more pieces than this names no one concept, so it "
        "proposes no pairs (keeps candidate generation near-linear)",
    )
    min_tokens: int = param(
        12, "pieces shorter than this (one-line getters, delegations) look alike by accident"
    )
    big_tokens: int = param(30, "both pieces at least this long may be paired on structure alone")
    min_shingles: int = param(8, "fewer 4-grams than this give MinHash no stable signature")
    structure_alone: float = param(
        0.5, "share of normalised 4-grams that, for big pieces, is strong on its own"
    )
    structure_with_marker: float = param(
        0.3, "share of 4-grams that, with a distinctive literal, makes a pair strong"
    )
    same_name_jaccard: float = param(
        0.25, "weighted feature overlap that, with the same name, makes a pair strong"
    )
    w_literals: float = param(
        0.35, "literals carry the concept (endpoints, keys, SQL): most weight"
    )
    w_features: float = param(0.3, "IDF-weighted overlap of all features")
    w_structure: float = param(0.2, "shape matters, but formatters and idioms make shapes alike")
    w_names: float = param(0.1, "names drift between agents; a weak signal alone")
    bonus_same_name: float = param(0.15, "the same short name in two branches is rarely chance")
    bonus_marker: float = param(0.1, "a shared distinctive literal (URL, env var, file name)")
    bonus_per_call: float = param(0.05, "each shared non-trivial call")
    max_call_bonus: float = param(0.1, "calls are common; cap their total")
    kind_weight_literal: float = param(1.5, "feature weight of a string literal")
    kind_weight_marker: float = param(3.0, "feature weight of a distinctive literal")
    kind_weight_call: float = param(1.5, "feature weight of a call")
    kind_weight_word: float = param(1.0, "feature weight of an identifier sub-token")
    kind_weight_name: float = param(1.0, "feature weight of a name sub-token")
    finding_structure_same_name: float = param(
        0.5, "same name and at least this share of shape: a copy (else a candidate)"
    )
    finding_structure_copy: float = param(
        0.8, "this share of shape between two long pieces is a copy whatever the names"
    )
    finding_literals: int = param(
        3, "rare literals shared (keys, statuses, endpoints) that spell one concept"
    )
    finding_structure_literals: float = param(
        0.3, "shape shared by pieces that spell one concept with the same literals"
    )


_TRIVIAL_CALLS = frozenset(
    [
        "append",
        "extend",
        "get",
        "items",
        "keys",
        "values",
        "join",
        "split",
        "strip",
        "format",
        "len",
        "str",
        "int",
        "list",
        "dict",
        "set",
        "print",
        "range",
        "isinstance",
        "super",
        "push",
        "map",
        "filter",
        "forEach",
        "then",
        "log",
        "info",
        "debug",
        "warn",
        "warning",
        "error",
        "exception",
    ]
)


@dataclass(frozen=True)
class Match:
    a: int
    b: int
    score: float
    evidence: tuple[str, ...]
    verified: bool = False  # strong enough for the finding tier (see DuplicateParams)


def _kind_weight(params: DuplicateParams) -> dict[str, float]:
    return {
        "s": params.kind_weight_literal,
        "d": params.kind_weight_marker,
        "c": params.kind_weight_call,
        "w": params.kind_weight_word,
        "n": params.kind_weight_name,
    }


# literals every module uses: type names (`typeof x === "string"`), encodings, modes
_TRIVIAL_LITERALS = frozenset(
    [
        "string",
        "number",
        "boolean",
        "object",
        "function",
        "undefined",
        "bigint",
        "symbol",
        "utf-8",
        "utf8",
        "ascii",
        "true",
        "false",
        "null",
        "none",
        "json",
        "text",
        "html",
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "id",
        "name",
        "type",
        "value",
        "key",
        "data",
        "error",
        "message",
        "status",
        "default",
    ]
)


def _feature_set(p: Piece) -> set[str]:
    f = p.added if p.change == "modified" else p.features
    strings = {s for s in f.strings if len(s) >= 3 and s.lower() not in _TRIVIAL_LITERALS}
    feats = {f"s:{s}" for s in strings}
    feats |= {f"d:{s}" for s in strings if distinctive(s)}
    feats |= {f"c:{c}" for c in f.calls if c not in _TRIVIAL_CALLS and c.lower() not in KEYWORDS}
    feats |= {f"w:{w}" for w in f.words}
    feats |= {f"n:{t}" for t in p.name_tokens}
    return feats


def _shingles(p: Piece) -> frozenset[int]:
    return p.added.shingles if p.change == "modified" else p.features.shingles


# names every module defines by convention: alike by design, never "built twice"
SPECIAL_NAMES = frozenset(
    [
        "init",
        "main",
        "constructor",
        "String",
        "Error",
        "Len",
        "Less",
        "Swap",
        "MarshalJSON",
        "UnmarshalJSON",
        "toString",
        "toJSON",
        "equals",
        "hashCode",
        "render",
        "setUp",
        "tearDown",
        "setup",
        "teardown",
        "default",
    ]
)
_GENERATED = re.compile(
    r"(^|/)(vendor|node_modules|dist|build|generated|gen|__generated__|third_party)/"
    r"|\.(pb|pb\.gw|gen|generated|min)\.\w+$|_pb2(_grpc)?\.py$|\.d\.ts$"
)


def _comparable(p: Piece, params: DuplicateParams) -> bool:
    if p.change == "deleted" or p.kind in ("module", "impl") or p.cosmetic:
        return False
    short = p.short
    if (
        short.startswith("__")
        or short.lower().startswith("test")
        or short in SPECIAL_NAMES
        or (short == p.symbol.split(".")[0] and "." in p.symbol)
        or _GENERATED.search(p.path)
    ):
        return False  # dunders, tests, constructors, generated code: alike by design
    f = p.added if p.change == "modified" else p.features
    return f.size >= params.min_tokens


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def candidate_pairs(
    pieces: Sequence[Piece],
    feats: Sequence[set[str]],
    parallel: Parallel = always_parallel,
    params: DuplicateParams = DuplicateParams(),
) -> set[tuple[int, int]]:
    """Pairs sharing a rare feature, plus pairs LSH puts in one bucket. Never all-pairs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, fs in enumerate(feats):
        for f in fs:
            if f[0] in "scd":
                postings[f].append(i)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        if 2 <= len(ids) <= params.max_df:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    pairs.add((ids[x], ids[y]))
    pairs |= _lsh_pairs(pieces, params.min_shingles)
    return {
        (a, b)
        for a, b in pairs
        if _allowed(pieces[a], pieces[b]) and parallel(pieces[a].branch, pieces[b].branch)
    }


def _lsh_pairs(pieces: Sequence[Piece], min_shingles: int) -> set[tuple[int, int]]:
    indexed = [i for i, p in enumerate(pieces) if len(_shingles(p)) >= min_shingles]
    if len(indexed) < 2:
        return set()
    found = LSH().pairs([sorted(_shingles(pieces[i])) for i in indexed])
    return {(indexed[x], indexed[y]) for x, y in found}


_CALLABLE = frozenset({"function", "method"})


def _polymorphic(a: Piece, b: Piece) -> bool:
    """Methods of the same name on different classes implement one interface by design
    (`GZipDecoder.flush`, `ZStandardDecoder.flush`): alike, but not duplicates."""
    if a.kind != "method" or b.kind != "method" or a.short != b.short:
        return False
    return a.symbol.rsplit(".", 1)[0] != b.symbol.rsplit(".", 1)[0]


def _siblings(a: Piece, b: Piece) -> bool:
    """Files made from one template (`suite27.py`, `suite28.py`): parallel by design."""
    return a.path != b.path and re.sub(r"\d+", "#", a.path) == re.sub(r"\d+", "#", b.path)


def _allowed(a: Piece, b: Piece) -> bool:
    if _polymorphic(a, b) or _siblings(a, b):
        return False
    if a.branch is None and b.branch is None:
        return False
    if (a.kind in _CALLABLE) != (b.kind in _CALLABLE):
        return False  # classes are compared with classes, functions with functions
    if a.branch == b.branch:
        return False
    if family(a.language) != family(b.language):
        return False
    if a.path == b.path and a.symbol == b.symbol:
        return False  # the same symbol changed twice: overlap or double fix, not a duplicate
    return not (a.branch is None or b.branch is None) or (
        a.kind in ("function", "method") and b.kind in ("function", "method")
    )


def _idf(feats: Sequence[set[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for fs in feats:
        df.update(fs)
    n = len(feats) + 1
    return {f: math.log(n / c) + 0.5 for f, c in df.items()}


def score_pair(
    a: Piece,
    b: Piece,
    fa: set[str],
    fb: set[str],
    idf: dict[str, float],
    params: DuplicateParams = DuplicateParams(),
) -> Match | None:
    common = fa & fb
    if not common:
        return None
    union = fa | fb
    kind_weight = _kind_weight(params)

    def weight(f: str) -> float:
        return idf.get(f, 1.0) * kind_weight[f[0]]

    wj = sum(weight(f) for f in common) / sum(weight(f) for f in union)
    sa, sb = _shingles(a), _shingles(b)
    structure = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    names = (
        len(a.name_tokens & b.name_tokens) / len(a.name_tokens | b.name_tokens)
        if a.name_tokens and b.name_tokens
        else 0.0
    )
    same_name = a.short == b.short
    literals = sorted(f[2:] for f in common if f[0] == "s" and idf.get(f, 0) > 1.0)
    marked = sorted(f[2:] for f in common if f[0] == "d" and idf.get(f, 0) > 1.0)
    calls = sorted({f[2:].rsplit(".", 1)[-1] for f in common if f[0] == "c"})
    big = min(a.features.size, b.features.size) >= params.big_tokens
    strong = (
        (
            bool(marked)
            and (
                len(literals) >= 2
                or bool(calls)
                or structure >= params.structure_with_marker
                or names > 0
            )
        )
        or len(literals) >= 2
        or len(calls) >= 2
        or (structure >= params.structure_alone and big)
        or (same_name and wj >= params.same_name_jaccard)
    )
    if not strong:
        return None
    purpose_a = {f for f in fa if f[0] == "c" and not f[2:3].isupper() and "." not in f}
    purpose_b = {f for f in fb if f[0] == "c" and not f[2:3].isupper() and "." not in f}
    if not marked and purpose_a and purpose_b and not (purpose_a & purpose_b):
        return None  # alike in shape, but they delegate to different things (routes, handlers)
    score = (
        params.w_literals * _literal_overlap(fa, fb, idf)
        + params.w_features * wj
        + params.w_structure * structure
        + params.w_names * names
        + (params.bonus_same_name if same_name else 0.0)
        + (params.bonus_marker if marked else 0.0)
        + min(params.max_call_bonus, params.bonus_per_call * len(calls))
    )
    if score < params.threshold:
        return None
    evidence: list[str] = []
    if literals:
        evidence.append("same literals: " + ", ".join(repr(s) for s in literals[:6]))
    if calls:
        evidence.append("same calls: " + ", ".join(calls[:6]))
    if structure >= params.structure_with_marker:
        evidence.append(f"{round(structure * 100)}% of normalised token 4-grams shared")
    shared_words = sorted(f[2:] for f in common if f[0] == "n")
    if same_name:
        evidence.append(f"same name `{a.short}`")
    elif shared_words:
        evidence.append(f"names `{a.short}` ~ `{b.short}` share: {', '.join(shared_words)}")
    # the finding tier: a copy (same name, or the same shape at length) or the same
    # concept spelled by the same rare literals in the same shape
    copy = (same_name and structure >= params.finding_structure_same_name) or (
        structure >= params.finding_structure_copy and big
    )
    concept = (
        len(literals) + len(marked) >= params.finding_literals
        and structure >= params.finding_structure_literals
    ) or (bool(marked) and names > 0 and structure >= params.finding_structure_literals)
    return Match(0, 0, min(score, 0.99), tuple(evidence), verified=copy or concept)


def _literal_overlap(fa: set[str], fb: set[str], idf: dict[str, float]) -> float:
    """How much of the smaller side's literals the other has (weighted by rarity)."""
    la = {f for f in fa if f[0] in "sd"}
    lb = {f for f in fb if f[0] in "sd"}
    if not la or not lb:
        return 0.0

    def w(fs: set[str]) -> float:
        return sum(idf.get(f, 1.0) for f in fs)

    common = w(la & lb)
    if min(len(la), len(lb)) < 2:
        return common / w(la | lb)
    return common / min(w(la), w(lb))


def _redundant(
    members: list[Piece], method_groups: list[list[Piece]], class_groups: list[list[Piece]]
) -> bool:
    """A class pair and its method pairs tell one story: keep the class group when several
    of its methods match (or the classes share a name), else keep the single method group."""

    def touches(mg: list[Piece], cg: list[Piece]) -> bool:
        return sum(1 for p in mg if _parent_in(p, cg)) >= 2

    if members and members[0].kind in _CALLABLE:
        for cg in class_groups:
            covering = [mg for mg in method_groups if touches(mg, cg)]
            if any(mg == members for mg in covering) and (
                len(covering) >= 2 or len({c.short for c in cg}) == 1
            ):
                return all(_parent_in(p, cg) for p in members)
        return False
    covering = [mg for mg in method_groups if touches(mg, members)]
    return len(covering) == 1 and len({c.short for c in members}) > 1


def _parent_in(p: Piece, members: Iterable[Piece]) -> bool:
    return any(
        q.branch == p.branch and q.path == p.path and p.symbol.startswith(q.symbol + ".")
        for q in members
    )


def detect(ctx: Context, params: DuplicateParams) -> list[Finding]:
    # what each branch took away: its own new code there is a move, not a copy
    gone: set[tuple[str | None, str, str]] = set()
    gone_files: set[tuple[str | None, str]] = set()
    for b in ctx.branches:
        for f in b.files:
            if f.status == "deleted" or (f.status == "renamed" and f.old_path):
                gone_files.add((b.name, f.old_path or f.path))
    for p in ctx.pieces:
        if p.change in ("deleted", "renamed"):
            gone.add((p.branch, p.path, p.renamed_from or p.symbol))

    def moved(a: Piece, b: Piece) -> bool:
        for new, old in ((a, b), (b, a)):
            if (
                old.branch is None
                and new.branch is not None
                and (
                    (new.branch, old.path, old.symbol) in gone
                    or (new.branch, old.path) in gone_files
                )
            ):
                return True
        return False

    found = find_duplicates([*ctx.pieces, *ctx.existing], ctx.parallel, params, moved)
    return [v for v in (_at_head(ctx, f) for f in found) if v is not None]


def _at_head(ctx: Context, f: Finding) -> Finding | None:
    """After merging: both copies must still exist. A group whose copies were merged into
    one later is resolved since; a member that is gone is left out."""
    if not ctx.merged:
        return f
    here = tuple(
        loc
        for loc in f.locations
        if loc.symbol is not None and ctx.head.has_symbol(loc.path, loc.symbol)
    )
    branches = {loc.branch for loc in here if loc.branch is not None}
    if len(here) >= 2 and branches and (len(branches) >= 2 or len(here) > len(branches)):
        return replace(f, locations=here)
    return replace(
        f,
        status="resolved",
        resolved="only one copy is left at HEAD",
        recommendation="Nothing to do: the copies were merged into one after they landed.",
    )


def find_duplicates(
    pieces: Sequence[Piece],
    parallel: Parallel = always_parallel,
    params: DuplicateParams = DuplicateParams(),
    moved: Callable[[Piece, Piece], bool] = lambda a, b: False,
) -> list[Finding]:
    """Groups of pieces from different branches (or a branch and existing code) doing the
    same thing. ``moved(a, b)``: is one of the two the other moved by its own branch?"""
    usable = [p for p in pieces if _comparable(p, params)]
    feats = [_feature_set(p) for p in usable]
    idf = _idf(feats)
    uf = _UnionFind()
    best: dict[tuple[int, int], Match] = {}
    for a, b in sorted(candidate_pairs(usable, feats, parallel, params)):
        if moved(usable[a], usable[b]):
            continue
        m = score_pair(usable[a], usable[b], feats[a], feats[b], idf, params)
        if m is not None:
            best[(a, b)] = m
            uf.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    matches_of: dict[int, list[Match]] = defaultdict(list)
    in_group: set[int] = set()
    for (a, b), m in best.items():
        root = uf.find(a)
        matches_of[root].append(m)
        for x in (a, b):
            if x not in in_group:
                in_group.add(x)
                groups[root].append(x)
    method_groups = [
        [usable[i] for i in ids] for ids in groups.values() if usable[ids[0]].kind in _CALLABLE
    ]
    class_groups = [
        [usable[i] for i in ids] for ids in groups.values() if usable[ids[0]].kind not in _CALLABLE
    ]
    findings: list[Finding] = []
    for root in sorted(groups):
        ids = groups[root]
        members = [usable[i] for i in ids]
        members = [p for p in members if not _parent_in(p, members)]
        if _redundant(members, method_groups, class_groups):
            continue
        existing = [p for p in members if p.branch is None]
        if len(existing) > 2:
            keep = {id(p) for p in existing[:2]}
            members = [p for p in members if p.branch is not None or id(p) in keep]
        branches = {p.branch for p in members if p.branch is not None}
        if len(branches) < 1 or len(members) < 2 or (len(branches) < 2 and not existing):
            continue
        pair_matches = matches_of[root]
        score = max(m.score for m in pair_matches)
        verified = any(m.verified for m in pair_matches)
        evidence: list[str] = []
        for m in sorted(pair_matches, key=lambda m: -m.score):
            for e in m.evidence:
                if e not in evidence:
                    evidence.append(e)
        members.sort(key=lambda p: (p.branch is not None, p.branch or "", p.path, p.start_line))
        clash = len({p.symbol for p in members}) < len(members)
        names = [f"`{p.symbol}` ({p.path})" if clash else f"`{p.symbol}`" for p in members]
        title = f"{_join(names)} implement the same thing"
        if existing:
            canon = existing[0]
            rec = (
                f"`{canon.symbol}` in `{canon.path}` already does this: make the new code call it "
                "and delete the copies."
            )
        else:
            inline = [p for p in members if p.change == "modified"]
            canon = next((p for p in members if p.change != "modified"), members[0])
            rec = (
                f"Pick one canonical implementation (for example `{canon.symbol}` in `{canon.path}`), "
                "move the other callers to it and delete the copies"
                + (
                    f"; replace the inline version in `{inline[0].symbol}` with a call"
                    if inline
                    else ""
                )
                + "."
            )
        findings.append(
            Finding(
                id="",
                kind="duplicate",
                title=title,
                confidence=round(score, 2),
                source="static",
                locations=tuple(p.location() for p in members),
                evidence=tuple(evidence[:6]),
                recommendation=rec,
                tier="finding" if verified else "candidate",
            )
        )
    return findings


def _join(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
