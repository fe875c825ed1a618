"""Phantom dependencies: one branch removes or renames a module, symbol or parameter while
another branch adds (or keeps) a use of it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from idealize.analyze.context import Context
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.repo.git import Git
from idealize.repo.languages import family, language_of
from idealize.types import Branch, Finding, Location, Parallel, always_parallel

COMMON_NAMES = frozenset(
    [
        "get",
        "set",
        "run",
        "main",
        "init",
        "__init__",
        "setup",
        "teardown",
        "test",
        "call",
        "update",
        "create",
        "delete",
        "close",
        "open",
        "start",
        "stop",
        "load",
        "save",
        "read",
        "write",
        "send",
        "handle",
        "process",
        "execute",
        "apply",
        "build",
        "make",
        "new",
        "to_dict",
        "from_dict",
        "name",
        "value",
        "data",
        "key",
        "items",
        "keys",
        "values",
        "copy",
        "clear",
        "reset",
        "render",
        "parse",
        "format",
        "validate",
        "check",
        "help",
        "index",
        "add",
        "remove",
    ]
)


@dataclass(frozen=True)
class Removal:
    branch: str
    path: str
    symbol: str | None  # None: the whole module
    name: str  # the name other code would use
    what: str  # "function", "class", "module", "parameter"
    replacement: str | None
    function: str | None = None  # for a parameter: the function it belonged to
    line: int | None = None


@dataclass(frozen=True)
class Use:
    branch: str | None
    path: str
    line: int
    text: str
    how: str  # import, call, keyword, reference


_PY_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?([^)#\n]*)", re.M)
_PY_IMPORT = re.compile(r"^\s*import\s+([\w., ]+)", re.M)
_JS_IMPORT = re.compile(r"""import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["']([^"']+)["']""")
_LOCAL_DEF = r"^\s*(?:async\s+)?(?:def|class|function|func|fn|const|let|var)\s+{name}\b"


def bound_elsewhere(source: str, name: str, removed_from: str) -> bool:
    """Does this file get ``name`` from somewhere other than the module it was removed from
    (another module's import, or a definition of its own)? Then its uses are not phantom."""
    stems = {m.rsplit(".", 1)[-1].rsplit("/", 1)[-1] for m in module_names(removed_from)}
    if re.search(_LOCAL_DEF.format(name=re.escape(name)), source, re.M):
        return True
    for module, names in _PY_FROM.findall(source):
        imported = {n.strip().split(" as ")[-1].strip() for n in names.split(",")}
        if name in imported:
            return module.rsplit(".", 1)[-1] not in stems
    for names, module in _JS_IMPORT.findall(source):
        imported = {n.strip().split(" as ")[-1].strip() for n in names.split(",")}
        if name in imported:
            return module.rstrip("/").rsplit("/", 1)[-1].split(".")[0] not in stems
    for modules in _PY_IMPORT.findall(source):
        if name in {m.strip().split(" as ")[-1] for m in modules.split(",")}:
            return True  # `import name`: a module of that name, not the removed symbol
    return False


def module_names(path: str) -> tuple[str, ...]:
    """How code would import a file: `pkg/mod.py` -> `pkg.mod`, `src/api.ts` -> `./api`, `api`."""
    stem = path.rsplit(".", 1)[0]
    dotted = stem.replace("/", ".")
    names = {dotted, stem.rsplit("/", 1)[-1]}
    if dotted.endswith(".__init__"):
        names.add(dotted[: -len(".__init__")])
    return tuple(sorted(names))


def removals(branches: Sequence[Branch], pieces: Sequence[Piece]) -> list[Removal]:
    found: list[Removal] = []
    by_branch: dict[str | None, list[Piece]] = defaultdict(list)
    for p in pieces:
        by_branch[p.branch].append(p)
    for b in branches:
        added_names: dict[str, str] = {}
        for f in b.files:
            for s in f.symbols:
                if s.change in ("added", "renamed"):
                    added_names[s.name.rsplit(".", 1)[-1]] = f.path
        for f in b.files:
            if f.status == "deleted" and f.language:
                found.append(
                    Removal(b.name, f.path, None, module_names(f.path)[-1], "module", None)
                )
            for s in f.symbols:
                if s.change == "renamed" and s.renamed_from:
                    old_short = s.renamed_from.rsplit(".", 1)[-1]
                    found.append(
                        Removal(
                            b.name,
                            f.path,
                            s.renamed_from,
                            old_short,
                            s.kind,
                            s.name,
                            line=s.old_start,
                        )
                    )
                elif s.change == "deleted":
                    short = s.name.rsplit(".", 1)[-1]
                    moved_to = added_names.get(short)
                    if moved_to == f.path:
                        continue
                    found.append(
                        Removal(
                            b.name,
                            f.path,
                            s.name,
                            short,
                            s.kind,
                            f"{moved_to}:{short}" if moved_to else None,
                            line=s.old_start,
                        )
                    )
        for p in by_branch.get(b.name, []):
            if p.change != "modified" or not p.old_params or p.cosmetic:
                continue
            for gone in p.old_params:
                if gone not in p.params and len(gone) > 1:
                    found.append(
                        Removal(
                            b.name,
                            p.path,
                            p.symbol,
                            gone,
                            "parameter",
                            None,
                            function=p.short,
                            line=p.start_line,
                        )
                    )
    return found


def _patterns(r: Removal) -> list[tuple[str, re.Pattern[str]]]:
    n = re.escape(r.name)
    if r.what == "parameter" and r.function:
        return [("keyword", re.compile(rf"\b{re.escape(r.function)}\s*\(.*\b{n}\s*[=:]"))]
    if r.what == "module":
        return [("import", re.compile(rf"(import|from|require\(|use)\b.*[\s./'\"]{n}\b"))]
    pats = [
        (
            "import",
            re.compile(
                rf"^\s*(from\s+\S+\s+import|import|use)\b.*\b{n}\b|import\s*\{{[^}}]*\b{n}\b"
            ),
        )
    ]
    if r.name not in COMMON_NAMES and len(r.name) > 3:
        # a method is reached through an object (`x.name(`); a top-level name is used bare,
        # or through its own module (`api.name`), never through another (`ssl.SSLContext`)
        member = r.symbol is not None and "." in r.symbol
        stems = sorted({m.rsplit(".", 1)[-1].rsplit("/", 1)[-1] for m in module_names(r.path)})
        # one fixed-width look-behind per module stem (Python's re needs fixed widths)
        own = "".join(f"|(?<=\\b{re.escape(stem)}\\.)" for stem in stems)
        before = r"(?<![\w'\"])" if member else rf"(?:(?<![\w.'\"]){own})"
        pats.append(("call", re.compile(rf"{before}{n}\s*\(")))
        pats.append(("reference", re.compile(rf"{before}{n}\b(?!\s*[=:](?!=))")))
    return pats


def _match(r: Removal, text: str) -> str | None:
    for how, pattern in _patterns(r):
        if pattern.search(text):
            return how
    return None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITION = re.compile(r"^\s*(def|class|function|func|fn)\s")

Line = tuple[str, str, int, str]  # branch, path, line number, text


class AddedLines:
    """Every line the branches added to code files, indexed by the identifiers on it,
    so a removal is checked against the few lines that mention its name."""

    def __init__(self, branches: Sequence[Branch]) -> None:
        self.by_word: dict[str, list[Line]] = defaultdict(list)
        self.language: dict[str, str | None] = {}
        self.blob: dict[tuple[str, str], str] = {}
        # (path, symbol) -> the (branch, path) pairs that add or change that definition
        self.defines: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for b in branches:
            for f in b.files:
                for sym in f.symbols:
                    if sym.change in ("added", "modified"):
                        self.defines[(f.path, sym.name)].add((b.name, f.path))
                if f.new_blob:
                    self.blob[(b.name, f.path)] = f.new_blob
                lang = language_of(f.path)
                self.language[f.path] = lang
                if lang is None:
                    continue  # prose and data files mention names without using them
                for h in f.hunks:
                    for offset, line in enumerate(h.added):
                        for word in set(_WORD.findall(line)):
                            self.by_word[word].append((b.name, f.path, h.new_start + offset, line))


def added_uses(
    r: Removal,
    branches: Sequence[Branch],
    index: AddedLines | None = None,
    parallel: Parallel = always_parallel,
) -> list[Use]:
    index = index or AddedLines(branches)
    lang = language_of(r.path)
    redefined = index.defines.get((r.path, r.symbol or ""), set())
    key = r.function if r.what == "parameter" and r.function else r.name
    uses: list[Use] = []
    for branch, path, lineno, line in index.by_word.get(key, []):
        if branch == r.branch or not parallel(branch, r.branch):
            continue
        flang = index.language.get(path)
        if lang and flang and family(lang) != family(flang):
            continue
        if r.what != "parameter" and (branch, path) in redefined:
            continue  # a redefinition in the same file is not a use
        how = _match(r, line)
        if how is None or _DEFINITION.match(line):
            continue
        uses.append(Use(branch, path, lineno, line.strip(), how))
    return uses


def grep_names(
    git: Git, names: Sequence[str], treeish: str
) -> dict[str, list[tuple[str, int, str]]]:
    """Every line of the tree that mentions one of the names (as a word), in a few git calls."""
    found: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    wanted = sorted(set(names))
    for i in range(0, len(wanted), 400):
        chunk = wanted[i : i + 400]
        args = ["grep", "-n", "-w", "-I", "--full-name"]
        for name in chunk:
            args += ["-e", name]
        out = git.text(*args, treeish, "--", check=False)
        names_here = set(chunk)
        for row in out.splitlines():
            parts = row.split(":", 3)
            if len(parts) < 4 or not parts[2].isdigit():
                continue
            _, path, lineno, text = parts
            for word in set(_WORD.findall(text)) & names_here:
                found[word].append((path, int(lineno), text))
    return found


def kept_uses(
    r: Removal,
    branches: Sequence[Branch],
    index: AddedLines,
    grepped: dict[str, list[tuple[str, int, str]]],
) -> list[Use]:
    """Post-merge: uses still in the merged tree, attributed to the branch that added the line."""
    if r.what == "parameter" or r.name in COMMON_NAMES or len(r.name) < 4:
        return []
    lang = language_of(r.path)
    added_by = {
        (path, text.strip()): branch for branch, path, _, text in index.by_word.get(r.name, [])
    }
    uses: list[Use] = []
    for path, lineno, text in grepped.get(r.name, []):
        flang = language_of(path)
        if not flang or (lang and family(flang) != family(lang)):
            continue
        how = _match(r, text)
        if how is None or _DEFINITION.match(text):
            continue
        owner = added_by.get((path, text.strip()))
        if owner == r.branch:
            continue
        uses.append(Use(owner, path, lineno, text.strip(), how))
    return uses


@dataclass(frozen=True)
class PhantomParams:
    confidence_import: float = param(
        0.92, "an import of a removed name fails at import time: nearly certain"
    )
    confidence_keyword: float = param(
        0.85, "a keyword argument the function no longer takes fails when called"
    )
    confidence_call: float = param(
        0.85, "a call by the removed name fails when reached, unless another binding exists"
    )
    confidence_reference: float = param(
        0.65, "a bare reference may be another binding of the same name: weakest"
    )
    max_uses: int = param(8, "uses listed as locations; the rest are counted in the evidence")


_HOW_ORDER = ("import", "keyword", "call", "reference")


def _confidence(params: PhantomParams, how: str) -> float:
    value: float = getattr(params, f"confidence_{how}")
    return value


def detect(ctx: Context, params: PhantomParams) -> list[Finding]:
    return find_phantoms(
        ctx.git, ctx.branches, ctx.pieces, ctx.merged_tree, ctx.parallel, ctx.on_target, params
    )


def find_phantoms(
    git: Git,
    branches: Sequence[Branch],
    pieces: Sequence[Piece],
    merged_tree: str | None,
    parallel: Parallel = always_parallel,
    defined: Collection[str] = (),
    params: PhantomParams = PhantomParams(),
) -> list[Finding]:
    """``defined``: names defined on the merged tree; a removal undone later is no phantom."""
    findings: list[Finding] = []
    index = AddedLines(branches)
    sources: dict[tuple[str | None, str], str] = {}

    def source_of(branch: str | None, path: str) -> str:
        key = (branch, path)
        if key not in sources:
            blob = index.blob.get((branch, path)) if branch is not None else None
            ref = blob if blob else (f"{merged_tree}:{path}" if merged_tree else None)
            data = git.run("cat-file", "-p", ref, check=False) if ref else b""
            sources[key] = data.decode("utf-8", "replace")
        return sources[key]

    found_removals = removals(branches, pieces)
    grepped = (
        grep_names(
            git,
            [r.name for r in found_removals if r.what != "parameter" and r.name not in defined],
            merged_tree,
        )
        if merged_tree is not None
        else {}
    )
    for r in found_removals:
        if merged_tree is not None and r.name in defined and r.what != "parameter":
            continue  # defined again on the merged tree: the removal was undone
        uses = added_uses(r, branches, index, parallel)
        if merged_tree is not None:
            known = {(u.path, u.text) for u in uses}
            kept = kept_uses(r, branches, index, grepped)
            uses += [u for u in kept if (u.path, u.text) not in known]
        if r.what != "parameter":
            uses = [
                u for u in uses if not bound_elsewhere(source_of(u.branch, u.path), r.name, r.path)
            ]
        if not uses:
            continue
        uses.sort(key=lambda u: (_HOW_ORDER.index(u.how), u.path, u.line))
        verb = {
            "parameter": f"removes parameter `{r.name}` of `{r.function}`",
            "module": f"deletes module `{r.path}`",
        }.get(
            r.what,
            f"{'renames' if r.replacement and ':' not in r.replacement else 'removes'} `{r.symbol}`",
        )
        users = sorted({u.branch or "code already on the target" for u in uses})
        title = f"{r.branch} {verb}, but {', '.join(users)} still use{'s' if len(users) == 1 else ''} it"
        evidence = [
            f"{r.branch} {verb} in `{r.path}`"
            + (f" (now `{r.replacement}`)" if r.replacement else "")
        ]
        evidence += [
            f"{u.how} in `{u.path}:{u.line}` ({u.branch or 'existing code'}): `{u.text[:120]}`"
            for u in uses[:5]
        ]
        fix = (
            f"Update the uses to `{r.replacement}`"
            if r.replacement
            else "Restore it or move the uses to its replacement"
        )
        findings.append(
            Finding(
                id="",
                kind="phantom_dependency",
                title=title,
                confidence=max(_confidence(params, u.how) for u in uses),
                source="static",
                locations=(
                    Location(r.path, r.symbol, r.line, r.line, r.branch),
                    *(
                        Location(u.path, None, u.line, u.line, u.branch)
                        for u in uses[: params.max_uses]
                    ),
                ),
                evidence=tuple(evidence),
                recommendation=f"{fix} before (or right after) merging; the merged code fails at import or call time.",
            )
        )
    return findings
