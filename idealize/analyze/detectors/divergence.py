"""Divergence: one line of work replaces or simplifies a mechanism while another extends it.

A *replaces* mechanism M when it adds M' and rewrites callers of M to call M' instead (or
deletes M for M'). B *extends* M when it changes M's own definition (new parameters, new
behaviour); B only *adding uses* of M is a weaker sign. Checked where the code lives now:
M must name one definition (a name several definitions share - ``Run``, ``Check`` - is no
mechanism), both M and M' must still exist (at HEAD after merging), and B's extension must
still be in M. Extended: a finding; only new uses: a candidate. One finding per replaced
mechanism, with every branch that extends it; a replacement mirrored by the other line of
work (each replacing M while the other extends it) is only a candidate.

One module per detector on purpose: replacements, extensions and their checks at HEAD read
top to bottom.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from idealize.analyze.context import Context
from idealize.analyze.detectors.phantom import COMMON_NAMES, IMPORT_LINE
from idealize.analyze.features import code_lines
from idealize.analyze.head import TreeView, spaced
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece, saw
from idealize.repo.languages import family, language_of, test_path
from idealize.types import Branch, Finding, Location

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_LINE = 400  # longer lines are data (base64, minified code), not calls


@dataclass(frozen=True)
class DivergenceParams:
    impact: float = param(
        0.8, "two mechanisms for one job: every later change is made twice or forgotten"
    )
    confidence_extended: float = param(
        0.8, "the other branch changes the mechanism itself (new parameters, new body)"
    )
    confidence_new_uses: float = param(
        0.55, "the other branch only adds uses of the mechanism: moving them may be easy"
    )
    min_name: int = param(4, "shorter names are words, not mechanisms")
    long_name: int = param(12, "a name this long points at one mechanism even without case")
    min_moved_share: float = param(
        0.6,
        "share of a mechanism's uses the replacing branch must move off it (when it neither "
        "deletes nor deprecates it) for a finding: dropping one call site is not replacing",
    )
    min_moved_uses: int = param(
        2,
        "uses the mechanism had before, at least, for moving them off it to be replacing it "
        "(when the branch neither deletes nor deprecates it; with fewer, a lead): a method "
        "a framework calls shows one call in the code, or none, and moving that one is an "
        "edit, not a replacement (kagent: #2396 dropped the one explicit "
        "`append_event` call, read as replacing the session service's method, FALSE)",
    )
    max_unmoved_share: float = param(
        0.1,
        "at most this share of the uses moved off a mechanism it neither deletes nor "
        "deprecates, a branch has not replaced it, not even as a lead: on the judged "
        "public histories, 25 leads that moved none were FALSE and none TRUE or DEBATABLE "
        "(crush: `Styles` 'replaced' by a helper that renders with it, `time.After` read as "
        "`DiffView.After`), and so were all 9 that moved 0.4-7% (gemini-cli: 1% of "
        "`CoreToolCallStatus` 'replaced' by an error schema); the least a DEBATABLE lead "
        "moved was 12%, the one TRUE lead 51%",
    )
    max_definitions: int = param(
        1, "a mechanism's name must name this many definitions at most in its language"
    )
    wrapper_lines: int = param(
        5,
        "lines of code below its header from which a mechanism that calls its replacement is "
        "more than a wrapper of it: on mcphost, #87 moved `GenerateWithLoop`'s body into "
        "`GenerateWithLoopAndStreaming` and left a three-line call to it, so work that had "
        "extended the old one runs through the new one (judged FALSE as a divergence)",
    )


def specific(name: str, params: DivergenceParams = DivergenceParams()) -> bool:
    """A name that points at one mechanism: `RetryPolicy`, `with_retries`, `fetchJson`;
    not a word every module uses (`path`, `stream`, `encoding`)."""
    if name in COMMON_NAMES or name.startswith("__") or len(name) < params.min_name:
        return False
    capitalised = name[0].isupper() and any(c.islower() for c in name)
    compound = "_" in name.strip("_") or any(c.isupper() for c in name[1:])
    return capitalised or compound or len(name) >= params.long_name


def _code_lines(b: Branch) -> list[tuple[str, int, str, bool]]:
    """(path, line, text, added) of a branch's changed code lines."""
    out: list[tuple[str, int, str, bool]] = []
    for f in b.files:
        if f.language is None:
            continue
        for h in f.hunks:
            for line in h.removed:
                if len(line) <= MAX_LINE:
                    out.append((f.path, h.old_start, line, False))
            for offset, line in enumerate(h.added):
                if len(line) <= MAX_LINE:
                    out.append((f.path, h.new_start + offset, line, True))
    return out


_NOT_CODE = ("#", "//", "/*", "*", '"' * 3, "'" * 3, "@deprecated")


def _substantive(text: str) -> bool:
    """Added lines that change behaviour: not only comments, docstrings or blank lines."""
    return any(
        line.strip() and not line.strip().startswith(_NOT_CODE) for line in text.splitlines()
    )


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text) is not None


# the words of a text, as `_mentions` bounds them: a name made of word characters is
# mentioned exactly when it is one of them
_WORDS = re.compile(r"[\w$]+")


class _Said:
    """What a piece's added lines mention, each piece's words read once: asked for every
    added definition of a line of work against every rewritten caller of every mechanism
    (on claude-code-router, 1.3 million questions took 10 s as one search each)."""

    def __init__(self) -> None:
        self._words: dict[int, frozenset[str]] = {}

    def __call__(self, c: Piece, name: str) -> bool:
        if not _WORDS.fullmatch(name):
            return _mentions(c.added_text, name)
        words = self._words.get(id(c))
        if words is None:
            words = self._words[id(c)] = frozenset(_WORDS.findall(c.added_text))
        return name in words


@dataclass
class _Replacement:
    a: str
    mech: str
    path: str
    qual: str
    new: list[Piece]
    callers: list[Piece]
    deleted: bool
    deprecated: bool = False  # A marked the mechanism deprecated
    moved_share: float = 0.0  # share of the mechanism's uses A moved off it
    used: int = 0  # the mechanism's uses (as code) before A
    instead: tuple[str, ...] = ()  # what the rewritten callers call now (maybe a library's)


def _replacements(
    ctx: Context, by_branch: Mapping[str, Sequence[Piece]], params: DivergenceParams
) -> list[_Replacement]:
    found: list[_Replacement] = []
    withdrawn: set[tuple[str, str]] = set()  # deprecation markers landed work removed
    said_by = _Said()  # the pieces live as long as this call: their ids stay theirs
    for b in sorted(ctx.branches, key=_landed):
        pieces = by_branch.get(b.name, ())
        added = [p for p in pieces if p.change == "added"]
        notices = {k: v for k, v in _deprecated(ctx, b, withdrawn).items() if k in ctx.defined}
        withdrawn |= {
            (f.path, _marker(h.removed, i))
            for f in b.files
            for h in f.hunks
            for i, line in enumerate(h.removed)
            if _DEPRECATION.search(line)
        }
        deprecated = set(notices)
        if not added and not deprecated:
            continue
        moved: dict[str, list[Piece]] = defaultdict(list)
        for c in pieces:
            if c.change != "modified" or c.cosmetic or language_of(c.path) is None:
                continue
            removed = Counter(_IDENT.findall(c.removed_text))
            still = Counter(_IDENT.findall(c.added_text))
            # the calls a change drops beside a local definition it drops are that local's
            # (on dyad, #4061 dropped a component's own `const handleSwitchBranch = ...` and
            # its calls; the exported handler of that name, which #4046 extended, stayed)
            local = {a or b for a, b in _LOCAL_DEFINITION.findall(c.removed_text)}
            for name, n in removed.items():
                if (
                    n > still.get(name, 0)
                    and name not in local
                    and name in ctx.defined
                    and (specific(name, params) or name in deprecated)
                ):
                    moved[name].append(c)
        gone = [p for p in pieces if p.change in ("deleted", "renamed")]
        deleted = {p.short for p in gone}
        for mech in sorted(set(moved) | (deleted & set(ctx.defined)) | deprecated):
            path, qual, _kind = ctx.defined[mech]
            if any(p.short == mech and (p.path, p.symbol) != (path, qual) for p in gone):
                # the branch deleted its own `saveConfig` (a private method of another
                # class), not the one of that name still on the target (a name clash on mux)
                continue
            callers = moved.get(mech, [])
            # "Deprecated: build an etl.flow.Pipeline instead"; the warning's category is how
            # it is said, not what replaces the mechanism (on the MCP Python SDK, #2926's
            # `@deprecated(..., category=MCPDeprecationWarning)` made the new warning class
            # the replacement of the `create_message` it deprecated)
            said = _CATEGORY.sub("", notices.get(mech, ""))
            new = [
                p
                for p in added
                if p.short != mech
                and family(p.language) == family(language_of(path) or "")
                and (
                    any(said_by(c, p.short) for c in callers) or (said and _mentions(said, p.short))
                )
            ]
            # a deprecated mechanism may be replaced by a library's (useQuery): what the
            # rewritten callers call now
            instead = sorted(
                {
                    name
                    for c in callers
                    for name in set(_CALLED.findall(c.added_text))
                    - set(_CALLED.findall(c.removed_text))
                    if name != mech and name not in COMMON_NAMES
                }
                | set(re.findall(r"`([A-Za-z_$][\w$]*)`", said))
            )
            if not new and not (mech in deprecated and (instead or callers)):
                continue
            if (
                mech not in deprecated
                and mech not in deleted
                and any(_mentions("\n".join(code_lines(p.text)), mech) for p in new)
            ):
                # the callers now call new code built on the mechanism: a layer over it, not
                # a replacement (on the MCP TypeScript SDK, #2354 moved every lookup of
                # `IMPORT_MAP` into a `lookupImportMapping` that reads it, judged FALSE)
                continue
            found.append(
                _Replacement(
                    b.name,
                    mech,
                    path,
                    qual,
                    new,
                    callers,
                    mech in deleted,
                    mech in deprecated,
                    instead=tuple(instead[:3]),
                )
            )
    return found


# a name bound by a definition inside a function: `const name =`, `function name(`, `def name(`,
# `name := ` (what was removed was a piece's body, so these are its locals, not top-level)
_LOCAL_DEFINITION = re.compile(
    r"^\s*(?:(?:export\s+)?(?:const|let|var|function\*?|async\s+function|def|async\s+def)\s+"
    r"([A-Za-z_$][\w$]*)|([A-Za-z_][\w]*)\s*:=)",
    re.M,
)
_CATEGORY = re.compile(r"\bcategory\s*=\s*[\w.]+|\b\w*Warning\b")
_CALLED = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*(?:<[^>()]*>)?\(")


def _cause(rep: _Replacement) -> tuple[str, frozenset[str]]:
    return (rep.a, frozenset(p.symbol for p in rep.new) or frozenset({rep.path}))


def _one_per_cause(found: list[tuple[tuple[str, frozenset[str]], Finding]]) -> list[Finding]:
    """One branch replacing several mechanisms with one new API (a bus and its event type;
    a registry's step and run_steps) is one cause: one finding with all of them."""
    merged: dict[tuple[str, frozenset[str]], Finding] = {}
    for key, f in found:
        kept = merged.get(key)
        if kept is None:
            merged[key] = f
            continue
        first, second = (kept, f) if kept.tier == "finding" or f.tier != "finding" else (f, kept)
        merged[key] = replace(
            first,
            confidence=max(first.confidence, second.confidence),
            locations=tuple(dict.fromkeys((*first.locations, *second.locations))),
            evidence=tuple(dict.fromkeys((*first.evidence, *second.evidence)))[:12],
        )
    return list(merged.values())


def _marker(lines: Sequence[str], i: int) -> str:
    """A deprecation marker with the two lines after it (its message, the definition it
    sits on), whitespace normalised: what tells one marker from another in a file."""
    return " ".join(" ".join(lines[i : i + 3]).split())


def _landed(b: Branch) -> int:
    return b.window[1] if b.window is not None else -1


def _deprecated(ctx: Context, b: Branch, withdrawn: set[tuple[str, str]]) -> dict[str, str]:
    """Definitions the branch marked deprecated: a marker it added inside a definition, right
    above it (a decorator, a doc comment), or in a module's opening docstring (then every
    top-level definition of the module). A marker that earlier work removed and this branch
    put back (`withdrawn`) restores a deprecation, it starts none (on pydantic-ai, #6625
    withdrew `@deprecated` from the durable agents #4977 had deprecated and #6631 restored
    it: #4977 is the replacing branch, not #6631)."""
    tree = ctx.trees.get(b.name)
    if tree is None:
        return {}
    found: dict[str, str] = {}
    for f in b.files:
        if f.language is None or test_path(f.path):
            continue  # a test expecting a deprecation warning deprecates nothing
        hits = [
            (h.new_start + i, " ".join(h.added[i : i + 3]))
            for h in f.hunks
            for i, line in enumerate(h.added)
            if _DEPRECATION.search(line)
            and not _EXPECTS_WARNING.search(line)
            and not IMPORT_LINE.match(line)
            and (f.path, _marker(h.added, i)) not in withdrawn
        ]
        if not hits:
            continue
        symbols = tree.definitions(f.path)
        top = [s for s in symbols if "." not in s.name]
        for line, said in hits:
            inside = [s for s in symbols if s.start_line <= line <= s.end_line]
            below = [s for s in symbols if 0 < s.start_line - line <= 4]
            if inside:
                own = min(inside, key=lambda s: s.end_line - s.start_line)
                if own.kind in _TYPE_KINDS and line - own.start_line > _HEADER_LINES:
                    continue  # inside a type's body, below its header: one field deprecated
                if f.language != "python" and line > own.start_line:
                    # outside Python a marker (a doc comment, an attribute, an annotation)
                    # documents the declaration after it: below a definition's first line it
                    # marks a member (on dyad, #4080's `/** @deprecated */` on one key of the
                    # zod schema `ChatResponseChunkSchema` made the whole schema replaced)
                    continue
                name = own.name.rsplit(".", 1)[-1]
                if not name.startswith("__"):  # `__init__`: every class has one
                    found[name] = said
            elif below:
                found[min(below, key=lambda s: s.start_line).name.rsplit(".", 1)[-1]] = said
            elif top and line < top[0].start_line:
                for s in top:  # the module's opening docstring: all of it
                    found.setdefault(s.name, said)
    return found


# what marks a mechanism as replaced in its own code: Python's @deprecated and
# DeprecationWarning, JSDoc/TSDoc @deprecated, Go's "Deprecated:" comment, Rust/Java/Dart
_DEPRECATION = re.compile(
    r"@deprecated|DeprecationWarning|\bDeprecated:|#\[deprecated|@Deprecated\b|warnings\.deprecated"
)


_TYPE_KINDS = frozenset({"class", "struct", "interface", "type", "enum", "trait"})
# how far below a type's first line its own deprecation sits (decorator, docstring opening);
# deeper in its body a marker deprecates a field (on pydantic-ai, a renamed
# `preserve_file_data` argument made all of `UIAdapter` look deprecated)
_HEADER_LINES = 3

# a line that expects, silences or filters a deprecation warning: it deprecates nothing
# (on pydantic-ai, code that used deprecated wrappers under `pyright: ignore[...]` and
# `pytest.warns(DeprecationWarning)` was read as deprecated itself). An import line is
# not a marker either (`from ._warnings import PydanticAIDeprecationWarning` at a module's
# top was read as its opening docstring deprecating all of it): `IMPORT_LINE` tells them
_EXPECTS_WARNING = re.compile(
    r"pytest\.warns|assertWarns|filterwarnings|simplefilter|catch_warnings|"
    r"(?:pyright|type|noqa)\s*:\s*ignore|eslint-disable|@SuppressWarnings|nolint"
)


def detect(ctx: Context, params: DivergenceParams) -> list[Finding]:
    by_branch = ctx.pieces_of
    # each branch's added code lines, by the identifiers on them
    uses_of: dict[str, dict[str, list[tuple[str, int, str]]]] = {}
    for b in ctx.branches:
        index: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for path, line, text, added in _code_lines(b):
            if added:
                for word in set(_IDENT.findall(text)):
                    index[word].append((path, line, text))
        uses_of[b.name] = index
    replacements = _replacements(ctx, by_branch, params)
    ctx.head.prefetch(r.mech for r in replacements)
    bases: dict[str, TreeView] = {}  # the tree before a replacing branch, one at a time
    try:
        findings = _extended(ctx, params, replacements, by_branch, uses_of, bases)
    finally:
        for tree in bases.values():
            tree.close()
    return _one_per_cause(findings)


def _extended(
    ctx: Context,
    params: DivergenceParams,
    replacements: list[_Replacement],
    by_branch: Mapping[str, Sequence[Piece]],
    uses_of: dict[str, dict[str, list[tuple[str, int, str]]]],
    bases: dict[str, TreeView],
) -> list[tuple[tuple[str, frozenset[str]], Finding]]:
    """Each replacement that another line of work extends, verified where the code lives
    now, with its cause."""
    findings: list[tuple[tuple[str, frozenset[str]], Finding]] = []
    claims: list[tuple[str, str, frozenset[str]]] = []  # (mechanism, replacer, extenders)
    mechs: dict[str, set[str]] = defaultdict(set)
    for rep in replacements:
        mechs[rep.a].add(rep.mech)
    mechs_of = {name: frozenset(names) for name, names in mechs.items()}
    # (a, b): one rewrote lines the other wrote, so one was written on top of the other: a
    # replacement that trimmed an extension came after it (gptme), and a change to the
    # replacement's own new code knew it (dagger/container-use #274 changed the lock that
    # #273's new `getWorktree` and the old `initializeWorktree` both take)
    sequential: dict[tuple[str, str], bool] = {}
    for rep in replacements:
        language = language_of(rep.path)
        if language is None:
            continue
        if len(ctx.head.defined_anywhere(rep.mech, language)) > params.max_definitions:
            continue  # several definitions share the name: no one mechanism
        extenders: list[tuple[str, list[Piece], list[tuple[str, int, str]]]] = []
        for b in ctx.branches:
            if b.name == rep.a or not ctx.parallel(rep.a, b.name):
                continue
            pair = (rep.a, b.name)
            if pair not in sequential:
                mine, theirs = by_branch.get(rep.a, ()), by_branch.get(b.name, ())
                sequential[pair] = saw(mine, theirs) or saw(theirs, mine)
            if sequential[pair]:
                continue
            extended = [
                p
                for p in by_branch.get(b.name, ())
                if p.path == rep.path
                and (p.symbol == rep.qual or p.symbol.startswith(rep.qual + "."))
                and p.change == "modified"
                and not p.cosmetic
                and _substantive(p.added_text)
            ]
            uses = [
                (path, line, text.strip())
                for path, line, text in uses_of[b.name].get(rep.mech, [])
                if path != rep.path and family(language_of(path) or "") == family(language)
            ]
            if rep.deleted and not extended:
                continue  # a removal with new uses elsewhere is a phantom dependency
            if extended or uses:
                extenders.append((b.name, extended, uses))
        if not extenders:
            continue
        verified = _verify(ctx, rep, extenders, params)
        if verified is None:
            continue
        if not (rep.deleted or rep.deprecated):  # else what it deletes is replaced whole
            rep.moved_share, rep.used = _moved_share(ctx, rep, language, bases, mechs_of[rep.a])
            if rep.moved_share <= params.max_unmoved_share:
                continue  # it kept every use of the mechanism: it replaced nothing
        findings.append((_cause(rep), _finding(rep, verified, params)))
        claims.append((rep.mech, rep.a, frozenset(n for n, ext, _ in verified if ext)))
    return _mirrored(findings, claims)


def _mirrored(
    findings: list[tuple[tuple[str, frozenset[str]], Finding]],
    claims: list[tuple[str, str, frozenset[str]]],
) -> list[tuple[tuple[str, frozenset[str]], Finding]]:
    """A replacement whose mirror image was found too (A replaces M while B extends it, and
    B replaces M while A extends it) establishes neither: both lines of work rewrote M, each
    read as extending it by the other, and M may well stay (AgentOps-AI/agentops: #1019 and
    #1030 each "replaced" `TracingCore` while the other "extended" it; it is still the
    tracer at HEAD, judged FALSE twice). Such pairs become candidates for a model to read."""
    said = {(mech, a, b) for mech, a, extenders in claims for b in extenders}
    out = []
    for (cause, f), (mech, a, extenders) in zip(findings, claims, strict=True):
        if f.tier == "finding" and any((mech, b, a) in said for b in extenders):
            f = replace(
                f,
                tier="candidate",
                evidence=(
                    *f.evidence,
                    f"each of {a} and the other rewrote `{mech}`: no one replaced it",
                ),
            )
        out.append((cause, f))
    return out


def _moved_share(
    ctx: Context,
    rep: _Replacement,
    language: str,
    bases: dict[str, TreeView],
    mechs: frozenset[str],
) -> tuple[float, int]:
    """How much of the mechanism's use the replacing branch moved off it, and how many uses
    it had before the branch: uses (as code,
    in its language) before the branch against after it. Dropping one call site of a
    function 20 places still call is not replacing it. ``bases``: the tree before the
    branch, kept for its next replacement (one at a time: each holds the files it read).
    ``mechs``: every mechanism the branch replaces, searched for in one go."""
    b = next((x for x in ctx.branches if x.name == rep.a), None)
    if b is None:
        return 0.0, 0
    if b.base not in bases:
        for tree in bases.values():
            tree.close()
        bases.clear()
        bases[b.base] = ctx.head.sibling(b.base)
    before = bases[b.base]
    after = ctx.trees.get(rep.a) or ctx.head.sibling(b.head)
    for tree in (before, after):
        tree.prefetch(mechs | {rep.mech})

    def uses(tree: TreeView) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for path, line, _text in tree.mentions([rep.mech])[rep.mech]:
            if path != rep.path and family(language_of(path) or "") == family(language):
                found[path].append(line)
        return found

    def count(tree: TreeView, path: str, lines: list[int]) -> int:
        return sum(1 for line in lines if tree.is_code(path, line, rep.mech))

    was_at, now_at = uses(before), uses(after)
    # a file the branch left alone holds the same uses before and after it: what moved is
    # in the files it changed, and when nothing moved there the rest need not be read
    changed = {
        path
        for path in was_at.keys() | now_at.keys()
        if before.paths.get(path) != after.paths.get(path)
    }
    moved = sum(
        count(before, path, was_at.get(path, [])) - count(after, path, now_at.get(path, []))
        for path in changed
    )
    if moved <= 0:
        return 0.0, 0  # nothing moved: the uses before need not be counted
    was = sum(count(before, path, lines) for path, lines in was_at.items())
    return (0.0 if was == 0 else max(0.0, moved / was)), was


def _verify(
    ctx: Context,
    rep: _Replacement,
    extenders: list[tuple[str, list[Piece], list[tuple[str, int, str]]]],
    params: DivergenceParams,
) -> list[tuple[str, list[Piece], list[tuple[str, int, str]]]] | None:
    """Keep what still holds where the code lives now: both mechanisms exist (M more than
    a wrapper of its replacement), the extension is still in M, the new uses are still
    there and are code."""
    if ctx.merged:
        tree = ctx.head
        if not tree.has_symbol(rep.path, rep.qual):
            return None  # M is gone: nothing diverges any more
        if rep.new and not any(tree.has_symbol(p.path, p.symbol) for p in rep.new):
            return None
        if _wraps(tree.body_of(rep.path, rep.qual), rep, params):
            return None  # M now only calls its replacement: one mechanism, two names
    kept = []
    for name, extended, uses in extenders:
        tree = ctx.tree_of(name)
        present = tree.spaced_lines(rep.path)
        ext = [
            p
            for p in extended
            if not present.isdisjoint(spaced(x) for x in p.added_text.splitlines() if x.strip())
        ]
        live = []
        for path, line, snippet in uses:
            at = tree.nearest_line(path, snippet, line)
            if at is not None and tree.is_code(path, at, rep.mech):
                live.append((path, at, snippet))
        if ext or live:
            kept.append((name, ext, live))
    return kept or None


def _wraps(body: str, rep: _Replacement, params: DivergenceParams) -> bool:
    """Is ``body`` (M as it is now) a few lines that call what replaced it?"""
    names = {p.symbol.rsplit(".", 1)[-1] for p in rep.new}
    lines = code_lines(body)
    return (
        bool(names)
        and 0 < len(lines) <= params.wrapper_lines
        and any(re.search(rf"\b{re.escape(n)}\s*\(", line) for n in names for line in lines)
    )


def _finding(
    rep: _Replacement,
    extenders: list[tuple[str, list[Piece], list[tuple[str, int, str]]]],
    params: DivergenceParams,
) -> Finding:
    extended = any(ext for _, ext, _ in extenders)
    replaced = (
        rep.deprecated
        or rep.deleted
        or (rep.moved_share >= params.min_moved_share and rep.used >= params.min_moved_uses)
    )
    names = [n for n, _, _ in extenders]
    replacement = rep.new[0].symbol if rep.new else " / ".join(rep.instead) or "another API"
    how_a = (
        "deletes"
        if rep.deleted
        else "deprecates"
        if rep.deprecated
        else f"moves {round(rep.moved_share * 100)}% of the uses off"
    )
    evidence = [
        f"{rep.a} {how_a} `{rep.qual}`"
        + (
            f" and adds {', '.join(f'`{p.symbol}`' for p in rep.new[:3])}"
            if rep.new
            else f"; its callers now call {', '.join(f'`{n}`' for n in rep.instead)}"
            if rep.instead
            else ""
        )
        + (
            f"; rewrites {', '.join(f'`{c.symbol}`' for c in rep.callers[:4])}"
            if rep.callers
            else ""
        )
    ]
    locations: list[Location] = []
    for name, ext, uses in extenders:
        for p in ext:
            new_params = sorted(set(p.params) - set(p.old_params))
            evidence.append(
                f"{name} extends `{p.symbol}`"
                + (f" with new parameter(s) {', '.join(new_params)}" if new_params else "")
            )
            locations.append(p.location())
        if uses:
            evidence.append(
                f"{name} adds {len(uses)} new use(s) of `{rep.mech}`, e.g. `{uses[0][0]}:{uses[0][1]}`"
            )
            locations += [
                Location(path, None, line, line, name, snippet=text)
                for path, line, text in uses[:3]
            ]
    if not any(loc.symbol == rep.qual for loc in locations):
        locations.insert(0, Location(rep.path, rep.qual, None, None, None))
    locations += [p.location() for p in rep.new[:2]]
    locations += [c.location() for c in rep.callers[:4]]
    who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    verb = "extends" if extended else "adds uses of"
    return Finding(
        id="",
        kind="divergence",
        title=f"{rep.a} replaces `{rep.mech}` with `{replacement}` while {who} {verb} `{rep.mech}`",
        confidence=params.confidence_extended if extended else params.confidence_new_uses,
        source="static",
        locations=tuple(dict.fromkeys(locations)),
        evidence=tuple(evidence[:10]),
        recommendation=(
            f"Decide which mechanism stays. If `{replacement}` wins, carry {who}'s additions "
            f"over to it and move the new callers; otherwise revert {rep.a}'s rewrite. "
            "Merged as is, the code base keeps two ways to do one thing."
        ),
        tier="finding" if extended and replaced else "candidate",
    )
