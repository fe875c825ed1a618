"""Phantom dependencies: one branch removes or renames a module, symbol or parameter while
another branch adds (or, after merging, keeps) a use of it.

A use is reported only after it is checked where it lives now (the merged HEAD, or before
merging the branches as they are):
- it is still there, and it is code (tree-sitter: not a comment, docstring or string);
- it resolves to what was removed: the import names the module it was removed from and
  that module no longer provides it; a bare name is bound by such an import or lives in
  that very module; a keyword argument goes to that very function, which no longer takes it.

Resolved uses make a *finding*; uses that cannot be resolved either way (a method called on
an object of unknown type, a language whose imports are not read here) make a *candidate*;
uses that resolve to something else are dropped. Post-merge, a removal whose uses were all
fixed before HEAD is *resolved since*. One finding per removal: a deleted module carries its
symbols and parameters with it.

One module per detector on purpose: removals, uses and their resolution at HEAD read top to
bottom.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from idealize.analyze.bindings import (
    Binding,
    bound,
    imports,
    module_files,
    package_of,
    star_exports,
    would_mean,
)
from idealize.analyze.context import Context
from idealize.analyze.features import header, parameters
from idealize.analyze.head import TreeView
from idealize.analyze.members import TYPE_KINDS, members
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.repo.languages import family, language_of
from idealize.repo.symbols import unsuffixed
from idealize.types import Branch, Finding, Location, Parallel, Symbol

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
class PhantomParams:
    impact: float = param(1.0, "merged code that fails at import or call time: ranked first")
    confidence_import: float = param(
        0.95, "an import of a name its module no longer provides fails at import time"
    )
    confidence_keyword: float = param(
        0.9, "a keyword argument the resolved function no longer takes fails when called"
    )
    confidence_call: float = param(
        0.9, "a call bound (by import or module) to a removed definition fails when reached"
    )
    confidence_reference: float = param(
        0.8, "a bound reference to a removed definition fails when evaluated"
    )
    confidence_unresolved: float = param(
        0.5, "a use whose binding cannot be read (method on an unknown type): a candidate"
    )
    max_uses: int = param(8, "uses listed as locations; the rest are counted in the evidence")
    min_name: int = param(
        3, "shorter removed names (`x`, `id`) are words every file uses: not followed"
    )


How = Literal["import", "keyword", "call", "reference", "fixture"]
Outcome = Literal["broken", "unknown", "fine", "fixed"]  # fixed: broke when it landed, not at HEAD


@dataclass(frozen=True)
class Removal:
    branch: str
    path: str  # the file it was removed from (the old path of a renamed file)
    symbol: str | None  # qualified name; None: the whole module
    name: str  # the name other code uses
    what: str  # module, function, method, class, ..., parameter, fixture
    replacement: str | None
    function: str | None = None  # for a parameter: the function it belonged to
    line: int | None = None
    base: str = ""  # a commit where it still existed
    inside: tuple[str, ...] = ()  # for a module: the symbols that went with it
    context: tuple[str, ...] = ()  # for a field: functions of its file that take the type
    # for a field: types its owner began to build on in the same change (`extends X`)
    gained: tuple[str, ...] = ()

    @property
    def language(self) -> str | None:
        return language_of(self.path)


@dataclass(frozen=True)
class Use:
    branch: str | None  # who added it; None: code that was already there
    path: str
    line: int
    text: str
    how: How
    outcome: Outcome = "unknown"
    why: str = ""
    commit: str = ""
    symbol: str | None = None


@dataclass
class _Lines:
    """Every line the branches added to code files, indexed by the identifiers on it."""

    by_word: dict[str, list[tuple[str, str, int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def of(cls, branches: Sequence[Branch]) -> _Lines:
        index = cls()
        for b in branches:
            for f in b.files:
                if f.language is None:
                    continue  # prose and data files mention names without using them
                for h in f.hunks:
                    for offset, line in enumerate(h.added):
                        for word in set(_WORD.findall(line)):
                            index.by_word[word].append((b.name, f.path, h.new_start + offset, line))
        return index


_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_DEFINITION = re.compile(
    r"^\s*(?:export\s+)?(?:async\s+)?(def|class|function|func|fn|interface|type|struct|enum)\s"
)
_FIXTURE = re.compile(r"@(pytest\.)?fixture\b")


def _module_name(path: str) -> str:
    if path.endswith(".go") and "/" in path:
        return path.rsplit("/", 2)[-2]  # a Go package is named after its folder
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return path.rsplit("/", 2)[-2] if stem in ("__init__", "index") and "/" in path else stem


_TYPE_WORDS = frozenset(
    {"export", "default", "declare", "abstract", "class", "interface", "type", "struct"}
    | {"extends", "implements", "public", "private", "protected", "readonly", "keyof", "typeof"}
)


def _type_names(text: str, own: str) -> set[str]:
    """The type names a definition's header holds besides its own (`interface A extends B`,
    `type A = B & {`, `class A(B):`): what it builds on."""
    header = text.split("{", 1)[0].split(":\n", 1)[0]
    return {
        w
        for w in re.findall(r"[A-Za-z_$][\w$]*", header)
        if w[:1].isupper() and w != own and w not in _TYPE_WORDS
    }


def _field_removals(branches: Sequence[Branch], pieces: Sequence[Piece]) -> list[Removal]:
    """Fields and properties a type lost: `Config.ControlPlaneURL` renamed, an options
    property `pageSize` renamed to `limit`."""
    bases = {b.name: b.base for b in branches}
    found: list[Removal] = []
    for p in pieces:
        if p.branch is None or p.change != "modified" or p.cosmetic or p.kind not in TYPE_KINDS:
            continue
        old_text = p.old_text
        if not old_text or not p.removed_text:
            continue
        before = members(old_text, p.language, nested=False)
        after = members(p.text, p.language, nested=False)
        gone = {m for m in before - after if len(m) >= 4 and m not in COMMON_NAMES}
        added = sorted(after - before)
        type_name = p.short
        takers = tuple(
            q.symbol
            for q in pieces
            if q.branch == p.branch
            and q.path == p.path
            and q.kind in ("function", "method")
            and re.search(rf"\b{re.escape(type_name)}\b", "\n".join(q.text.splitlines()[:3]))
        )
        gained = tuple(sorted(_type_names(p.text, p.short) - _type_names(old_text, p.short)))
        for name in sorted(gone):
            found.append(
                Removal(
                    p.branch,
                    p.path,
                    f"{p.symbol}.{name}",
                    name,
                    "field",
                    added[0] if len(added) == 1 and len(gone) == 1 else None,
                    line=p.start_line,
                    base=bases.get(p.branch, ""),
                    context=takers,
                    gained=gained,
                )
            )
    return found


def removals(branches: Sequence[Branch], pieces: Sequence[Piece]) -> list[Removal]:
    """What each branch took away that other code could use: deleted or renamed files,
    deleted or renamed definitions, removed parameters. A definition that moved to
    another file of the same branch is a move, followed by its new path."""
    texts = {(p.branch, p.path, p.symbol): p for p in pieces}
    found: list[Removal] = []
    for b in branches:
        added: dict[str, str] = {}
        for f in b.files:
            for s in f.symbols:
                if s.change in ("added", "renamed"):
                    added.setdefault(s.name.rsplit(".", 1)[-1], f.path)
        gone_files: set[str] = set()
        gone_packages: set[str] = set()
        # a package's code before its tests: the removal is named after what code imports
        for f in sorted(b.files, key=lambda f: ("_test." in f.path or "/test" in f.path, f.path)):
            if not f.language:
                continue
            if f.status == "deleted" or (f.status == "renamed" and f.old_path):
                old = f.old_path if f.status == "renamed" and f.old_path else f.path
                gone_files.add(old)
                if f.language == "go":
                    # a Go package is its folder: one removal per folder, named after it
                    folder = old.rsplit("/", 1)[0] if "/" in old else ""
                    if folder in gone_packages:
                        continue
                    gone_packages.add(folder)
                found.append(
                    Removal(
                        b.name,
                        old,
                        None,
                        _module_name(old),
                        "module",
                        f.path if f.status == "renamed" else None,
                        base=b.base,
                        inside=tuple(s.name for s in f.symbols if s.change == "deleted"),
                    )
                )
        for f in b.files:
            if not f.language or f.path in gone_files or (f.old_path or "") in gone_files:
                continue
            for s in f.symbols:
                if s.change == "renamed" and s.renamed_from:
                    found.append(
                        Removal(
                            b.name,
                            f.path,
                            s.renamed_from,
                            s.renamed_from.rsplit(".", 1)[-1],
                            s.kind,
                            s.name,
                            line=s.old_start,
                            base=b.base,
                        )
                    )
                elif s.change == "deleted":
                    short = s.name.rsplit(".", 1)[-1]
                    moved_to = added.get(short)
                    if moved_to == f.path:
                        continue  # redefined in the same file
                    piece = texts.get((b.name, f.path, s.name))
                    fixture = piece is not None and bool(_FIXTURE.search(piece.removed_text))
                    found.append(
                        Removal(
                            b.name,
                            f.path,
                            s.name,
                            short,
                            "fixture" if fixture else s.kind,
                            f"{moved_to}:{short}" if moved_to else None,
                            line=s.old_start,
                            base=b.base,
                        )
                    )
    found += _field_removals(branches, pieces)
    overloads: set[tuple[str, str, str, str]] = set()
    for p in pieces:
        if p.branch is None or p.change != "modified" or not p.old_params or p.cosmetic:
            continue
        if p.kind not in ("function", "method") or p.language != "python":
            continue  # only Python calls name their arguments (and a class line is no signature)
        head = p.text.split(")", 1)[0]
        if "**" in head:
            continue  # still takes any keyword
        # a constructor is called by its class's name: `Client(retries=3)`
        called = (
            p.symbol.rsplit(".", 2)[-2] if p.short == "__init__" and "." in p.symbol else p.short
        )
        if called.startswith("__"):
            continue
        for gone in p.old_params:
            # one removal per function: its overloads are indexed apart (`__init__#4`)
            one = (p.branch, p.path, unsuffixed(p.symbol), gone)
            if gone not in p.params and len(gone) > 1 and one not in overloads:
                overloads.add(one)
                found.append(
                    Removal(
                        p.branch,
                        p.path,
                        p.symbol,
                        gone,
                        "parameter",
                        None,
                        function=called,
                        line=p.start_line,
                        base=next((b.base for b in branches if b.name == p.branch), ""),
                    )
                )
    return found


def _keyword_of(text: str, function: str, keyword: str) -> bool:
    """Is ``keyword=`` an argument of a call to ``function`` itself (not of a call nested
    inside its arguments)?"""
    for m in re.finditer(rf"(?<![\w$]){re.escape(function)}\s*\(", text):
        depth = 1
        i = m.end()
        start = i
        while i < len(text) and depth:
            ch = text[i]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif depth == 1 and ch in ",(":
                start = i + 1
            if depth == 1 and text.startswith(keyword, i) and i >= start:
                before = text[start:i].strip()
                after = text[i + len(keyword) :].lstrip()
                if not before and after.startswith("=") and not after.startswith("=="):
                    return True
            i += 1
    return False


# a line that imports (Python, JS/TS re-exports, Rust `use`): it names modules, not uses
IMPORT_LINE = re.compile(r"^\s*(from\s+\S+\s+import|import|export\s.*\sfrom|use)\b")


def _opener(text: str, end: int) -> str:
    """The innermost bracket still open at ``end`` in one line, or "" at its top level.
    `name: T` directly inside parentheses declares a parameter
    (`getOrCreateProvider(serverName: string, serverUrl: string)`), not an object's key: on
    cline, that parameter was reported as a use of a removed `serverUrl` field."""
    opened: list[str] = []
    for ch in text[: end + 1]:
        if ch in "([{":
            opened.append(ch)
        elif ch in ")]}" and opened:
            opened.pop()
    return opened[-1] if opened else ""


def _only_written(text: str, spots: Sequence[re.Match[str]]) -> bool:
    """Every `.name` on the line (``spots``) is assigned to (`toolkit._exit_stack = None`):
    setting an attribute on a Python object never fails, so a removed field written by old
    code is dead code at worst, nothing that breaks (on camel, a test still set the
    `_exit_stack` #3934 removed on a hand-built toolkit: judged DEBATABLE, "nothing reads
    it")."""
    return bool(spots) and all(re.match(r"\s*=(?!=)", text[m.end() :]) for m in spots)


def _how(r: Removal, text: str) -> How | None:
    """How a line that mentions the name would use it, or None when it does not."""
    n = re.escape(r.name)
    if r.what == "parameter" and r.function:
        return "keyword" if _keyword_of(text, r.function, r.name) else None
    if r.what == "fixture":
        return (
            "fixture" if re.search(rf"^\s*(async\s+)?def\s+test\w*\s*\(.*\b{n}\b", text) else None
        )
    if r.what == "field":
        if IMPORT_LINE.match(text):
            return None  # `from app.cli.settings import x`: a module path, not the field
        # `a.field`, not the spread `...field` of a variable of that name (on vercel/ai,
        # `...implementation.env` was reported as a use of a removed `implementation` field)
        spots = list(re.finditer(rf"(?<!\.)\.{n}(?![\w$])", text))
        member = bool(spots)
        if member and r.language == "python" and _only_written(text, spots):
            return None
        key = family(r.language or "") == "typescript" and any(
            _opener(text, m.start()) != "("
            for m in re.finditer(rf"(?:[{{,(]|^)\s*{n}\s*:(?!:)", text)
        )
        return "reference" if member or key else None
    member = r.symbol is not None and "." in r.symbol
    if (
        r.what == "method"
        and (r.language in ("go", "python") or family(r.language or "") == "typescript")
        and not re.search(rf"\.\s*{n}\b", text)
    ):
        # a Go, Python or TypeScript method is reached through a value (`r.worktreePath()`,
        # `command.isAuthenticated()`), never by its bare name: on dagger/container-use, the
        # local variables `worktreePath` left when #180 renamed the method were listed as its
        # uses, and on claude-task-master the locals and object fields `isAuthenticated`
        return None
    if member and family(r.language or "") == "typescript":
        receivers = re.findall(rf"([\w$]+)\s*\??\.\s*{n}(?![\w$])", text)
        if (
            receivers
            and all(x in _JS_GLOBALS for x in receivers)
            and not re.search(rf"(?<![\w$.]){n}(?![\w$])", text)
        ):
            return None  # `Date.now()` is the runtime's, not a removed `WarmPool.now`
    if (
        IMPORT_LINE.match(text)
        or re.search(r"\brequire\(", text)
        or (r.language == "go" and re.match(r'^\s*(\w+\s+)?"[\w./-]+"\s*$', text))
    ):
        return None if member else "import"  # no import brings in a class's member
    if r.what == "module":
        return None
    if _DEFINITION.match(text):
        return None
    if re.search(rf"(?<![\w$]){n}\s*\(", text):
        return "call"
    words = [m.start() for m in re.finditer(rf"(?<![\w$]){n}(?![\w$])(?!\s*=(?!=))", text)]
    if family(r.language or "") == "typescript":
        # an object's key (`{ capabilities: { roots: {} } }`, on microsoft/playwright-mcp)
        # or a parameter's name is no use of a removed variable; `{ capabilities }` is
        keys = {m.start(1) for m in re.finditer(rf"(?:[{{,(]|^)\s*({n})\s*\??:(?!:)", text)}
        words = [w for w in words if w not in keys]
    return "reference" if words else None


# objects every JavaScript runtime provides: `Date.now()` is no use of a class's `now` (on
# cloudflare/agents, #1889's removed `WarmPool.now` had 443 such "uses")
_JS_GLOBALS = frozenset(
    {"Date", "Math", "JSON", "Object", "Array", "Promise", "Number", "String", "Boolean"}
    | {"Symbol", "Reflect", "Intl", "URL", "Buffer", "console", "process", "window"}
    | {"document", "globalThis", "crypto", "performance", "navigator", "location"}
    | {"localStorage", "sessionStorage", "Atomics", "WebAssembly"}
)


def _innermost(
    tree: TreeView, path: str, line: int, kinds: frozenset[str] | None = None
) -> Symbol | None:
    """The innermost definition (of one of ``kinds``, if given) holding ``line``."""
    inside = [
        s
        for s in tree.definitions(path)
        if s.start_line <= line <= s.end_line and (kinds is None or s.kind in kinds)
    ]
    return min(inside, key=lambda s: s.end_line - s.start_line) if inside else None


def _enclosing(tree: TreeView, path: str, line: int) -> str | None:
    s = _innermost(tree, path, line)
    return s.name if s else None


_CALLABLE_KINDS = frozenset({"function", "method"})


def _binds_locally(tree: TreeView, path: str, line: int, name: str) -> bool:
    """Does the function the use sits in bind ``name`` itself: a parameter, a local
    variable, a nested function or class? Then the bare name is that, not what another
    branch removed (on mcp-go, tests declaring `testLogger := newTestLogger(ch)` were read
    as uses of the `testLogger` type #892 renamed; on crewAI, a test's nested
    `def validate_file_path(context)` as a use of the moved function)."""
    s = _innermost(tree, path, line, _CALLABLE_KINDS)
    if s is None:
        return False
    body = tree.body(path, s)
    language = language_of(path)
    if name in parameters(header(body), language):
        return True
    n = re.escape(name)
    if family(language or "") == "python":
        pattern = (
            rf"^[ \t]*{n}[ \t]*(?::[^=\n]+)?=(?!=)|^[ \t]*(?:async[ \t]+)?def[ \t]+{n}\b"
            rf"|^[ \t]*class[ \t]+{n}\b|\bfor[ \t]+{n}[ \t]+in\b|\bas[ \t]+{n}\b"
        )
    elif language == "go":
        pattern = rf"(?<![\w.]){n}(?:[ \t]*,[ \t]*\w+)*[ \t]*:=|\bvar[ \t]+{n}\b"
    else:
        pattern = rf"\b(?:const|let|var|function|class)[ \t]+{n}(?![\w$])"
    return re.search(pattern, body.split("\n", 1)[-1], re.M) is not None


def _module_member(name: str, line: str, text: str, language: str) -> str | None:
    """The module every ``x.name`` on the line is read from, when each ``x`` is a module
    the file imports whole (``import sys``, ``import * as fs``): a module's attribute is no
    type's field (on the MCP Python SDK, ``sys.stderr`` was read as the ``stderr`` field
    #2773 removed from ``FallbackProcess``)."""
    qualifiers = {m.group(1) for m in re.finditer(rf"([\w$]+)\.{re.escape(name)}(?![\w$])", line)}
    if not qualifiers or re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", line):
        return None
    for q in sorted(qualifiers):
        if not any(b.imported is None for b in bound(text, language, q)):
            return None
    return min(qualifiers)


def _provides(tree: TreeView, path: str, name: str, seen: frozenset[str] = frozenset()) -> bool:
    """Does ``path`` still give ``name`` to importers: a definition, any code use of the
    word (a re-export, an assignment, an import of it), or a module it passes on whole
    (`export * from "./legacy-agent"`: on cloudflare/agents, #1557 moved `McpAgent` behind
    one, and forty imports of it from the index were reported as broken)?"""
    if tree.defines(path, name) is not None:
        return True
    text = tree.text(path) or ""
    for n, line in enumerate(text.splitlines(), start=1):
        if re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", line) and tree.is_code(
            path, n, name
        ):
            return True
    language = language_of(path)
    if language is None or len(seen) > 8:
        return False  # (a chain of barrels deeper than any seen is not followed)
    seen = seen | {path}
    return any(
        _provides(tree, f, name, seen)
        for module in star_exports(text, language)
        for f in module_files(module, path, tree.paths)
        if f not in seen
    )


def _modules_of(b: Binding, language: str) -> list[str]:
    """The modules an import statement can name: `from pkg import mod` may import the
    submodule `pkg.mod` (`from . import load as sink`)."""
    found = [b.module]
    if b.imported and b.imported != "default" and family(language) == "python":
        found.append(f"{b.module}{'' if b.module.endswith('.') else '.'}{b.imported}")
    return found


def _bindings_of(text: str, language: str, name: str) -> list[Binding]:
    """Imports that bring ``name`` into the file, under its name or an alias."""
    return [b for b in imports(text, language) if b.local == name or b.imported == name]


def _imports_package(text: str, removed_from: str, importer: str) -> bool:
    """Go: does the file import (or sit in) the package the member's type lives in?"""
    folder = package_of(removed_from)
    if package_of(importer) == folder:
        return True
    return any(would_mean(b.module, importer, removed_from) for b in imports(text, "go"))


def _declared_anywhere(tree: TreeView, name: str, language: str) -> bool:
    """Does any type of this language still declare a member ``name``? (Once per tree,
    name and language family, however many uses ask.)"""
    return tree.remember(
        ("declares member", name, family(language)), lambda: _declares(tree, name, language)
    )


def _declares(tree: TreeView, name: str, language: str) -> bool:
    for path in sorted({p for p, _, _ in tree.mentions([name])[name]}):
        lang = language_of(path)
        if lang is None or family(lang) != family(language):
            continue
        text = tree.text(path) or ""
        if (
            family(lang) == "typescript"
            and "z.object(" in text
            and re.search(rf"^\s*{re.escape(name)}\??\s*:", text, re.M)
        ):
            return True  # a key of a zod schema: the type `z.infer` gives declares it
        for s in tree.definitions(path):
            if s.kind in TYPE_KINDS and name in members(tree.body(path, s), lang):
                return True
    return False


def _outside_base(defs: TreeView, r: Removal, language: str) -> str | None:
    """A type the owner of a removed field began to build on in the same change (`extends`,
    `implements`, `&`, a Python base class) and that the repository does not define: the
    field may have moved there, and what it declares cannot be read here. On
    cloudflare/agents, #1701 made `WorkerTransportOptions` extend the MCP SDK's options and
    dropped the members that type declares; tests passing them were reported as broken. (A
    base the type had before, `BaseModel` under a pydantic model, declared none of the
    fields the type itself declared.)"""
    for word in r.gained:
        if not defs.defined_anywhere(word, language):
            return word
    return None


_PY_MANIFESTS = ("pyproject.toml", "setup.cfg", "setup.py")


def _installs(defs: TreeView, module: str, language: str) -> str | None:
    """The manifest that declares an absolute Python import's top package as a dependency
    (`"agent-framework-durabletask>=1.0"` in a pyproject's dependencies): the import then
    means the installed distribution, not a file here. On microsoft/agent-framework, #7465
    moved a workspace package to its own repository and kept depending on it; its imports
    were reported as broken. (Distribution names fold `-`, `_` and `.` together; the
    project's own `name = ...` line is no dependency.)"""
    if family(language) != "python" or module.startswith("."):
        return None
    spelled = r"[-_.]".join(re.escape(part) for part in module.split(".")[0].split("_"))
    entry = re.compile(
        rf"""^(?!\s*name\s*=).*["']{spelled}(?:\[[^\]]*\])?\s*(?:[<>=!~;,'"\]]|$)"""
        rf"|^{spelled}(?:\[[^\]]*\])?\s*(?:[<>=!~;]|$)",
        re.I | re.M,
    )
    for path in sorted(defs.paths):
        name = path.rsplit("/", 1)[-1]
        manifest = name in _PY_MANIFESTS or (
            name.startswith("requirements") and name.endswith(".txt")
        )
        if manifest and entry.search(defs.text(path) or ""):
            return path
    return None


def _resolve(r: Removal, use: Use, used_in: TreeView, defs: TreeView) -> tuple[Outcome, str]:
    """Does the use mean what was removed, and is it gone in ``defs``?"""
    language = language_of(use.path)
    if language is None or r.language is None or family(language) != family(r.language):
        return "fine", "another language"
    text = used_in.text(use.path) or ""
    paths = defs.paths
    if r.what == "module":
        for b in imports(text, language):
            if abs(b.line - use.line) > 30:
                continue
            for module in _modules_of(b, language):
                if would_mean(module, use.path, r.path) and not _inside_package(
                    module, r.path, paths, language
                ):
                    if module_files(module, use.path, paths):
                        return "fine", "the module is back"
                    manifest = _installs(defs, module, language)
                    if manifest:
                        return "fine", f"`{module}` is a dependency `{manifest}` installs"
                    return "broken", f"imports `{module}`, which no longer exists"
        return "fine", "no import of the module"
    if r.what == "field":
        if _declared_anywhere(defs, r.name, language):
            return "fine", f"a type still declares `{r.name}`"
        holder = _module_member(r.name, use.text, text, language)
        if holder:
            return "fine", f"`{holder}.{r.name}` is a module's attribute, not a field"
        # a member name is a word many types use (and inferred types declare members
        # nowhere): it is this type's only when the file reaches the type or its functions
        owner = (r.symbol or "").rsplit(".", 2)[0].rsplit(".", 1)[-1]
        linked = [owner, *(c.rsplit(".", 1)[-1] for c in r.context)]
        reached = any(
            re.search(rf"(?<![\w$]){re.escape(n)}(?![\w$])", text) for n in linked if n
        ) or (family(language) == "go" and _imports_package(text, r.path, use.path))
        if not reached:
            return "unknown", f"`{r.name}` may be another type's member"
        other = _field_receiver(r, use, used_in, defs, language, owner)
        if other:
            return "fine", other
        outside = _outside_base(defs, r, language)
        if outside:
            return "unknown", f"`{owner}` builds on `{outside}`, which may declare `{r.name}`"
        return "broken", f"no type declares `{r.name}` any more"
    if r.what == "fixture":
        if defs.defined_anywhere(r.name, "python"):
            return "fine", "a fixture of that name is defined"
        return "broken", f"requests fixture `{r.name}`, which nothing defines any more"
    name = r.function if r.what == "parameter" and r.function else r.name
    if r.what == "parameter":
        elsewhere = _called_from_elsewhere(r, text, language, use.path, paths)
        if elsewhere:
            return "fine", f"`{r.function}` comes from `{elsewhere}`"
        other = _receiver_type(r, use.text, text, defs, language)
        if other:
            return "fine", other
        if _takes(defs, r):
            return "fine", "the function takes it again"
        if _another_takes(defs, r):
            return "unknown", f"another `{r.function}` still takes `{r.name}`: the call may mean it"
        return "broken", f"`{r.function}` no longer takes `{r.name}`"
    if r.what == "method" and use.how == "reference" and _declared_anywhere(defs, name, language):
        # read, not called, where a type still declares a field of that name: on
        # grafana/mcp-grafana, the flag field `dt.search` was read as the removed
        # `ElasticsearchClient.search`
        return "fine", f"a type declares a field `{name}`, which it reads"
    # where does the use get the name from (under its own name or an alias)?
    for b in _bindings_of(text, language, name):
        files = module_files(b.module, use.path, paths)
        if family(language) == "go":
            break
        if not files:
            if would_mean(b.module, use.path, r.path):
                return "broken", f"imports `{name}` from `{b.module}`, which no longer exists"
            return "fine", f"`{name}` comes from `{b.module}`"
        if b.imported is None and b.local == name:
            # the whole module under that name (`const packageJSON = require("./package.json")`
            # on microsoft/playwright-mcp): the name is the module, which is there
            return "fine", f"`{name}` is the module `{b.module}` itself"
        if any(_provides(defs, f, b.imported or name) for f in files):
            return "fine", f"`{b.module}` still provides `{name}`"
        if r.path in files:
            return "broken", f"imports `{name}` from `{b.module}`, which no longer has it"
        return "unknown", f"`{b.module}` does not provide `{name}`"
    if family(language) == "go":
        return _resolve_go(r, use, text, defs)
    if use.path == r.path:
        if defs.defines(r.path, name) is None and not _provides(defs, r.path, name):
            return "broken", f"`{name}` is used in its own module, which no longer defines it"
        return "fine", "still defined in its module"
    member = r.symbol is not None and "." in r.symbol
    if member:
        if defs.defined_anywhere(name, language):
            return "fine", f"another `{name}` is defined: the call may mean it"
        return "unknown", f"a method `{name}` on an object of unknown type"
    # a module-qualified use (`api.name`): is the qualifier an import of the removed module?
    qualifier = re.search(rf"([\w$]+)\.{re.escape(name)}\b", use.text)
    if qualifier:
        for b in bound(text, language, qualifier.group(1)):
            if b.imported is None or b.imported == qualifier.group(1):
                target = b.module if b.imported is None else f"{b.module}.{b.imported}"
                if would_mean(target, use.path, r.path) or would_mean(b.module, use.path, r.path):
                    # (a module may pass the name on from where it moved: on cloudflare/agents,
                    # `index.ts` re-exports the `getAgentByName` #2133 moved out of it)
                    if not _provides(defs, r.path, name):
                        return (
                            "broken",
                            f"`{qualifier.group(1)}.{name}`: the module no longer has it",
                        )
                    return "fine", "still in the module"
        return "fine", f"`{qualifier.group(1)}.{name}` is another object's attribute"
    if defs.defines(use.path, name) is not None:
        return "fine", "defined in the file itself"
    if _destructures(text, name, language):
        return "fine", "the file takes it apart from a value itself"
    return "unknown", "the file does not say where the name comes from"


def _destructures(text: str, name: str, language: str) -> bool:
    """Does the file bind ``name`` by taking an object apart, `const { ErrorSchema, ... } =
    createServerCoreSchemas(z)`? On VoltAgent, #1224 moved schemas into such a factory, and
    the names the routes unpack from it were read as uses of the removed constants."""
    if family(language) != "typescript":
        return False
    for m in _DESTRUCTURING.finditer(text):
        for part in m.group(1).split(","):
            local = part.split("=", 1)[0].split(":")[-1].strip().removeprefix("...")
            if local == name:
                return True
    return False


_DESTRUCTURING = re.compile(r"\b(?:const|let|var)\s*\{([^{}]*)\}\s*(?::[^=]+)?=(?![=>])")


def _resolve_go(r: Removal, use: Use, text: str, defs: TreeView) -> tuple[Outcome, str]:
    """Go: a package is a folder. ``pkg.Name`` through an import of the removed file's
    folder, or a bare ``Name`` in that folder, breaks when no file there defines it."""
    folder = package_of(r.path)
    members = [p for p in defs.paths if p.endswith(".go") and package_of(p) == folder]
    defined = any(defs.defines(p, r.name) for p in members)
    member = r.symbol is not None and "." in r.symbol
    qualifier = re.search(rf"([\w]+)\.{re.escape(r.name)}\b", use.text)
    if member:
        if defs.defined_anywhere(r.name, "go"):
            return "fine", f"another `{r.name}` is defined"
        return "unknown", f"a method `{r.name}` on a value of unknown type"
    if qualifier:
        for b in imports(text, "go"):
            if b.local == qualifier.group(1) and would_mean(b.module, use.path, r.path):
                if defined:
                    return "fine", "still defined in the package"
                return "broken", f"`{qualifier.group(1)}.{r.name}`: the package no longer has it"
        return "fine", "another package's name"
    if package_of(use.path) == folder:
        if defined:
            return "fine", "still defined in the package"
        if r.name in _GO_BUILTINS:
            # (bubbletea: #1497 deleted an example's own `min` and `max` for Go 1.21's)
            return "fine", f"`{r.name}` is Go's built-in now that the package lacks its own"
        return "broken", f"`{r.name}` is used in its package, which no longer defines it"
    return "fine", "not this package's name"


# the functions Go declares in every package's universe scope: a package that deletes its
# own `min` calls the built-in one
_GO_BUILTINS = frozenset(
    {"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make"}
    | {"max", "min", "new", "panic", "print", "println", "real", "recover"}
)


def _called_from_elsewhere(
    r: Removal, text: str, language: str, importer: str, paths: Collection[str]
) -> str | None:
    """A function or a class called by its own name: the module the use's file imports that
    name from, when no import of it can mean the removal's file. On livekit/agents, #6475
    took `agent_context_carryover` off the inference `STT`, and tests that import
    `STT` from `livekit.plugins.assemblyai` (inside each test) were read as its callers."""
    owner = unsuffixed(r.symbol or "").removesuffix(".__init__")
    if r.function is None or "." in owner:
        return None  # a method, called on an object: the import of its name says nothing
    found = bound(text, language, r.function)
    if not found or any(_may_hold(b.module, importer, r.path, paths) for b in found):
        return None
    return found[0].module


_SELF = frozenset({"self", "cls", "this", "super()", "super"})


def _receiver_type(r: Removal, line: str, text: str, defs: TreeView, language: str) -> str | None:
    """A method's parameter, called on a receiver whose type the file states: every
    assignment of the receiver in the file builds (or annotates it as) one type, and that
    type is not the method's class nor, as far as this tree shows, built on it. On
    oraios/serena, `self._app = Flask(__name__)` and later `self._app.run(host=...)` were
    read as calls of `SerenaDashboardAPI.run`, which had lost `host`."""
    parts = unsuffixed(r.symbol or "").split(".")
    if r.function is None or len(parts) < 2:
        return None
    owner = parts[-2]
    receivers = {
        m.group(1)
        for m in re.finditer(rf"([\w$.]+)\s*\.\s*{re.escape(r.function)}\s*\(", line)
        if not m.group(1).endswith(".")
    }
    if len(receivers) != 1:
        return None
    return _stated_type(receivers.pop(), owner, text, defs, language)


def _stated_type(receiver: str, owner: str, text: str, defs: TreeView, language: str) -> str | None:
    """Why ``receiver`` is not an ``owner``: every assignment of it in the file builds (or
    annotates it as) one type, which is not ``owner`` nor, as far as ``defs`` shows, built
    on it. None when the file does not say."""
    if receiver in _SELF or receiver == owner or receiver.split(".")[-1] == owner:
        return None
    assigned = re.findall(
        rf"(?<![\w$.]){re.escape(receiver)}\s*(?::\s*([\w.]+)[^=\n]*)?=(?!=)\s*(?:new\s+)?"
        rf"([\w.]+)?\s*(\()?",
        text,
    )
    types = set()
    for annotated, called, call in assigned:
        named = annotated or (called if call else "")
        short = named.rsplit(".", 1)[-1]
        if not short[:1].isupper():
            return None  # built by a function, or from another value: its type is not said
        types.add(short)
    if len(types) != 1:
        return None
    kind = types.pop()
    if kind == owner:
        return None
    for path, s in defs.defined_anywhere(kind, language):
        if s.kind in TYPE_KINDS and owner in _type_names(defs.body(path, s), kind):
            return None  # a subclass of the method's class: the call may mean it
    return f"`{receiver}` is a `{kind}`, not a `{owner}`"


def _field_receiver(
    r: Removal, use: Use, used_in: TreeView, defs: TreeView, language: str, owner: str
) -> str | None:
    """A removed field read on one receiver the file builds as something else: another
    class (`x = Flask(...)`), or in Go a value of another package (on charmbracelet/
    bubbletea, `p := paginator.New()` then `p.Type = paginator.Dots` was read as a use of
    `tea.Key.Type`, which v2-exp removed). None when the file does not say."""
    receivers = {
        m.group(1)
        for m in re.finditer(
            rf"(?<![\w$.])([\w$]+)\s*\??\.\s*{re.escape(r.name)}(?![\w$])", use.text
        )
    }
    if len(receivers) != 1:
        return None
    receiver = receivers.pop()
    text = used_in.text(use.path) or ""
    if family(language) != "go":
        return _stated_type(receiver, owner, text, defs, language)
    if receiver == owner:
        return None
    # a Go variable lives in its function: another function's `p` is another variable
    scope = _innermost(used_in, use.path, use.line, _CALLABLE_KINDS)
    lines = text.splitlines()
    body = "\n".join(lines[scope.start_line - 1 : scope.end_line]) if scope else text
    name = re.escape(receiver)
    # every way the file gives the receiver a value or a type: `p := q.New()`, `p = &q.T{}`,
    # `var p q.T`, a parameter `p *q.T`; one that names no package (`p := Key{}`, `p := f()`)
    # may build the owner
    origins = re.findall(
        rf"(?<![\w.]){name}\s*(?::=|=(?!=))\s*&?([\w.]+)"
        rf"|\bvar\s+{name}\s+\*?([\w.]+)"
        rf"|[(,]\s*{name}\s+\*?([\w.]+)",
        body,
    )
    packages = {q.split(".")[0] if "." in q else "" for group in origins for q in group if q}
    if not packages or "" in packages:
        return None
    # the removed file's own package name: an import bound to it may mean it (a package at
    # the module's root is imported by the module path, which no folder names)
    own = re.search(r"^package\s+(\w+)", defs.text(r.path) or "", re.MULTILINE)
    if own is None:
        return None
    local = {b.local: b.module for b in imports(text, "go")}
    for q in packages:
        module = local.get(q)
        if module is None or q == own.group(1) or would_mean(module, use.path, r.path):
            return None
    return f"`{receiver}` is a value of package `{sorted(packages)[0]}`, not a `{owner}`"


def _inside_package(module: str, removed: str, paths: Collection[str], language: str) -> bool:
    """Was the removed file inside a Python package, so that an absolute import of its bare
    name (`import groq`) is another, installed module? The folder that would have to be on
    the import path, or one above it, holds an `__init__.py` at the target. On agentops,
    #830 deleted `agentops/llms/providers/groq.py` and the canary scripts' `from groq import
    Groq` (the Groq SDK) was read as importing it (judged FALSE, five modules)."""
    if family(language) != "python" or module.startswith("."):
        return False
    stem = removed.rsplit(".", 1)[0]
    tail = module.replace(".", "/")
    for rel in (tail, tail + "/__init__"):
        if stem == rel or not stem.endswith("/" + rel):
            continue
        folder = stem[: -len(rel) - 1]
        while folder:
            if f"{folder}/__init__.py" in paths:
                return True
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    return False


def _may_hold(module: str, importer: str, removed: str, paths: Collection[str]) -> bool:
    """Can an import of ``module`` reach the file ``removed``: the module is that file, a
    package holding it (a re-export), or a module this tree cannot place?"""
    files = module_files(module, importer, paths)
    if files:
        return any(
            f == removed
            or (
                f.rsplit("/", 1)[-1].split(".")[0] in ("__init__", "index")
                and removed.startswith(f.rsplit("/", 1)[0] + "/")
            )
            for f in files
        )
    if family(language_of(importer) or "") != "python" or module.startswith("."):
        return True  # a package name or a relative path not found: it could be anything
    dotted = "." + removed.rsplit(".", 1)[0].replace("/", ".") + "."
    return f".{module}." in dotted


def _takes(defs: TreeView, r: Removal) -> bool:
    """Does the function still take the parameter in one of its signatures? An overloaded
    function is indexed per signature (`__init__#3`), and a branch that adds an overload
    shifts the ordinals: on pydantic-ai, #6142's two new `HerokuProvider.__init__` overloads
    made the third signature lose `http_client`, which the fifth still takes."""
    base = unsuffixed(r.symbol or "")
    found = [s for s in defs.definitions(r.path) if unsuffixed(s.name) == base]
    if not found:
        return True  # the function itself is gone or moved: another finding's business
    return any(_signature_takes(defs, r.path, s, r.name) for s in found)


def _signature_takes(defs: TreeView, path: str, symbol: Symbol, name: str) -> bool:
    """Does this definition's signature take ``name`` (or any keyword, ``**kwargs``)?"""
    signature = header(defs.body(path, symbol))
    return name in parameters(signature, language_of(path)) or "**" in signature


def _another_takes(defs: TreeView, r: Removal) -> bool:
    """A method's parameter: does another type's method of that name still take it? A call
    on an object whose type is unknown may mean that one (on the MCP Python SDK, #2998 took
    `allow_input_required` off `Client.call_tool` while `ClientSession.call_tool`, which the
    uses call, kept it)."""
    if r.symbol is None or "." not in r.symbol or r.function is None or r.language is None:
        return False  # a function or a constructor: its name says which one is called
    base = unsuffixed(r.symbol)
    for path in sorted({p for p, _, _ in defs.mentions([r.function])[r.function]}):
        lang = language_of(path)
        if lang is None or family(lang) != family(r.language):
            continue
        for s in defs.definitions(path):
            name = unsuffixed(s.name)
            if name.rsplit(".", 1)[-1] != r.function or (path, name) == (r.path, base):
                continue
            if _signature_takes(defs, path, s, r.name):
                return True
    return False


def _candidate_uses(
    r: Removal,
    ctx: Context,
    lines: _Lines,
    parallel: Parallel,
) -> list[Use]:
    """Lines that mention the removed name: added by other branches in flight at the same
    time and, after merging, anywhere in HEAD."""
    key = r.function if r.what == "parameter" and r.function else r.name
    uses: dict[tuple[str, int], Use] = {}
    for branch, path, line, text in lines.by_word.get(key, []):
        if branch == r.branch or not parallel(branch, r.branch):
            continue
        how = _how(r, text)
        if how is not None:
            uses.setdefault((path, line), Use(branch, path, line, text.strip(), how))
    if ctx.merged:
        added_by = {(path, text.strip()): b for b, path, _, text in lines.by_word.get(key, [])}
        # a line the remover wrote itself stays its own when a later branch moves its file
        # (mem0 #4741 dropped `async_mode` and added tests that it is gone; #5491 moved them)
        own = {
            (posixpath.basename(path), text.strip())
            for b, path, _, text in lines.by_word.get(key, [])
            if b == r.branch
        }
        known = {(u.path, u.text) for u in uses.values()}  # a use already listed, by its text
        for path, line, text in ctx.head.mentions([key])[key]:
            if (posixpath.basename(path), text.strip()) in own:
                continue
            owner = added_by.get((path, text.strip()))  # not the remover: `own` above
            if owner is not None and not parallel(owner, r.branch):
                continue
            how = _how(r, text)
            if how is None or language_of(path) is None:
                continue
            if (path, text.strip()) in known or (path, line) in uses:
                continue
            uses[(path, line)] = Use(owner, path, line, text.strip(), how)
            known.add((path, text.strip()))
    return list(uses.values())


def _check(r: Removal, use: Use, ctx: Context) -> Use:
    """The use as it is now: where it is, whether it is code, what it resolves to."""
    used_in = ctx.tree_of(use.branch)
    defs = ctx.head if ctx.merged else ctx.tree_of(r.branch)
    line = used_in.nearest_line(use.path, use.text, use.line)
    if line is None:
        if not ctx.merged or use.branch is None or use.branch not in ctx.trees:
            return replace(use, outcome="fine", why="gone")
        # gone from HEAD: did it break when it landed? (its branch against the remover's)
        then = replace(use, outcome="unknown")
        landed_in, removed_in = ctx.trees[use.branch], ctx.trees[r.branch]
        at = landed_in.nearest_line(use.path, use.text, use.line)
        word = r.function if r.what == "parameter" and r.function else r.name
        if at is None or not landed_in.is_code(use.path, at, word):
            return replace(use, outcome="fine", why="gone")
        outcome, why = _resolve(r, replace(then, line=at), landed_in, removed_in)
        return replace(
            use,
            line=at,
            outcome="fixed" if outcome == "broken" else "fine",
            why=f"{why} when it landed; changed before HEAD",
            commit=landed_in.commit,
            symbol=_enclosing(landed_in, use.path, at),
        )
    word = r.function if r.what == "parameter" and r.function else r.name
    # an import names its module in a string in Go and JS; the binding read below decides
    if use.how != "import" and not used_in.is_code(use.path, line, word):
        return replace(use, line=line, outcome="fine", why="in a comment or string")
    if r.what == "field" and used_in.names_parameter(use.path, line, word):
        # a signature's `stepNamespace: string,` on its own line declares a parameter, which a
        # line alone cannot tell from an object's key (vercel/ai: taken for a use of a
        # removed `LangGraphEventState.stepNamespace`)
        return replace(use, line=line, outcome="fine", why=f"a parameter named `{word}`")
    if (
        r.what not in ("parameter", "field", "module", "fixture")
        and "." not in (r.symbol or "")
        and re.search(rf"(?<![\w$.]){re.escape(word)}(?![\w$])", use.text)
        and _binds_locally(used_in, use.path, line, word)
    ):
        return replace(use, line=line, outcome="fine", why=f"a local `{word}`")
    outcome, why = _resolve(r, replace(use, line=line), used_in, defs)
    if outcome != "fine" and r.what == "field" and _KEY.match(use.text):
        # asked only of a use that would be reported: finding the callee's definition is a
        # search of the tree per callee (on coder/mux, 10 of 32 s when asked of every key)
        taker = _taken_by(r, used_in.text(use.path) or "", line, word, defs, use.path)
        if taker:
            return replace(use, line=line, outcome="fine", why=taker)
    return replace(
        use,
        line=line,
        outcome=outcome,
        why=why,
        commit=used_in.commit,
        symbol=_enclosing(used_in, use.path, line),
    )


# an object's key on a line of its own: `versions: freshVersions,`, or shorthand `versions,`
_KEY = re.compile(r"^\s*[A-Za-z_$][\w$]*\s*(?::(?!:)|,|$)")
# what opens the object literal an argument is: `getThing({` or `getThing(first, {`
_CALL_OPEN = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:<[^>()]*>)?\((?:[^()]*,)?\s*$")
MAX_LITERAL_LINES = 60  # how far up an object literal's opening brace is looked for


def _taken_by(r: Removal, text: str, line: int, word: str, defs: TreeView, path: str) -> str | None:
    """Is the key ``word`` on ``line`` one of an object literal passed to a function whose own
    parameters declare it (a destructured `{ versions, ... }` or a type literal), and that
    names no type of the removed field's owner? Then the key is that function's, not the
    removed field (on dyad, `versions: freshVersions,` passed to `getExtraRevertedCommits`
    was read as a use of the `FooterContext.versions` #4020 removed, judged FALSE)."""
    callee = _literal_callee(text.split("\n"), line)
    if callee is None or len(callee) < 3:
        return None
    owner = (r.symbol or "").rsplit(".", 2)[0].rsplit(".", 1)[-1]
    declared = re.compile(rf"(?<![\w$.]){re.escape(word)}\??\s*[:,}}=]")
    for where, sym in defs.defined_anywhere(callee, language_of(path)):
        head = header(defs.body(where, sym))
        if head and declared.search(head) and not (owner and owner in head):
            return f"a key of the object passed to `{callee}`, whose parameters declare it"
    return None


def _literal_callee(lines: Sequence[str], line: int) -> str | None:
    """The function called with the object literal that holds line ``line`` (1-based), if
    that literal is a call's argument."""
    depth = 0
    for i in range(line - 1, max(-1, line - 1 - MAX_LITERAL_LINES), -1):
        text = lines[i] if i < len(lines) else ""
        for j in range(len(text) - 1, -1, -1):
            c = text[j]
            if c in "})]":
                depth += 1
            elif c in "{([":
                if depth == 0:
                    if c != "{":
                        return None
                    before = text[:j]
                    if not before.strip() and i > 0:
                        before = lines[i - 1]
                    m = _CALL_OPEN.search(before)
                    return m.group(1) if m else None
                depth -= 1
    return None


def detect(ctx: Context, params: PhantomParams) -> list[Finding]:
    lines = _Lines.of(ctx.branches)
    found: list[Finding] = []
    taken = removals(ctx.branches, ctx.pieces)
    if ctx.merged:
        ctx.head.prefetch(
            r.function if r.what == "parameter" and r.function else r.name for r in taken
        )
    for r in taken:
        if len(r.name) < params.min_name:
            continue
        candidates = _candidate_uses(r, ctx, lines, ctx.parallel)
        if not candidates:
            continue
        checked = [_check(r, u, ctx) for u in candidates]
        checked += _followed(r, [u for u in checked if u.outcome == "broken"], ctx, checked)
        broken = [u for u in checked if u.outcome == "broken"]
        unknown = [u for u in checked if u.outcome == "unknown"]
        landed = [u for u in checked if u.outcome == "fixed"]
        if broken:
            found.append(_finding(r, broken, "finding", ctx, params))
        elif unknown and (r.name not in COMMON_NAMES):
            found.append(_finding(r, unknown, "candidate", ctx, params))
        elif landed:
            found.append(_finding(r, landed, "resolved", ctx, params))
    return found


MAX_FOLLOWED = 4  # uses of a broken import followed into the code, per file
# any line that begins as an import or an export does (wider than IMPORT_LINE): the
# broken import's own line and re-exports are not uses of what it bound
_IMPORT_START = re.compile(r"^\s*(from|import|export)\b")


def _followed(r: Removal, broken: list[Use], ctx: Context, known: list[Use]) -> list[Use]:
    """A broken import breaks the code that uses what it imported: follow the names it
    binds (an alias too) to their uses in that file, so the finding points at the
    functions that fail, not only at the import line."""
    seen = {(u.path, u.line) for u in known}
    out: list[Use] = []
    for use in broken:
        if use.how != "import":
            continue
        tree = ctx.tree_of(use.branch)
        language = language_of(use.path)
        text = tree.text(use.path)
        if language is None or text is None:
            continue
        locals_ = {
            b.local
            for b in imports(text, language)
            if abs(b.line - use.line) <= 30
            and (
                b.imported == r.name
                or b.local == r.name
                or any(would_mean(m, use.path, r.path) for m in _modules_of(b, language))
            )
        }
        # each name's pattern made once, not once per line (a text search first: most
        # lines hold none of the names)
        patterns = [(name, re.compile(rf"(?<![\w$.]){re.escape(name)}\b")) for name in locals_]
        added = 0
        for n, line in enumerate(text.splitlines(), start=1):
            if added >= MAX_FOLLOWED:
                break
            if (use.path, n) in seen:
                continue
            hit = next(
                (
                    name
                    for name, pattern in patterns
                    if name in line
                    and pattern.search(line)
                    and not _IMPORT_START.match(line)
                    and tree.is_code(use.path, n, name)
                ),
                None,
            )
            if hit is None:
                continue
            seen.add((use.path, n))
            added += 1
            out.append(
                replace(
                    use,
                    line=n,
                    text=line.strip(),
                    how="call" if re.search(rf"\b{re.escape(hit)}\s*[.(]", line) else "reference",
                    why=f"uses `{hit}`, bound by the broken import on line {use.line}",
                    symbol=_enclosing(tree, use.path, n),
                )
            )
    return out


def _finding(
    r: Removal, uses: list[Use], tier: str, ctx: Context, params: PhantomParams
) -> Finding:
    order = ("import", "keyword", "call", "reference", "fixture")
    uses.sort(key=lambda u: (order.index(u.how), u.path, u.line))
    verb = {
        "parameter": f"removes parameter `{r.name}` of `{r.function}`",
        "module": f"{'moves' if r.replacement else 'deletes'} module `{r.path}`",
    }.get(
        r.what,
        f"{'renames' if r.replacement and ':' not in r.replacement else 'removes'} `{r.symbol}`",
    )
    users = sorted({u.branch or "code already on the target" for u in uses})
    who = ", ".join(users[:4]) + (f" and {len(users) - 4} more" if len(users) > 4 else "")
    if tier == "resolved":
        title = f"{r.branch} {verb} while {who} added uses of it; fixed before HEAD"
    else:
        title = f"{r.branch} {verb}, but {who} still use{'s' if len(users) == 1 else ''} it"
    evidence = [
        f"{r.branch} {verb} in `{r.path}`" + (f" (now `{r.replacement}`)" if r.replacement else "")
    ]
    evidence += [
        f"{u.how} in `{u.path}:{u.line}` ({u.branch or 'existing code'}): `{u.text[:120]}`"
        for u in uses[:5]
    ]
    checked = "checked at HEAD" if ctx.merged else f"checked against {r.branch}"
    evidence.append(f"{checked}: {uses[0].why}")
    if len(uses) > 5:
        evidence.append(f"{len(uses) - 5} more use(s)")
    fix = (
        f"Update the uses to `{r.replacement}`"
        if r.replacement
        else "Restore it or move the uses to its replacement"
    )
    confidence = (
        max(getattr(params, f"confidence_{u.how}", params.confidence_call) for u in uses)
        if tier == "finding"
        else params.confidence_unresolved
        if tier == "candidate"
        else params.confidence_reference
    )
    removed_at = Location(
        r.path,
        # a field is gone, its type is not: point at the type
        r.symbol.rsplit(".", 1)[0] if r.what == "field" and r.symbol else r.symbol,
        r.line,
        r.line,
        r.branch,
        tree="branch",
        commit=r.base or None,
        gone=r.what != "field",
    )
    context = tuple(
        Location(r.path, symbol, None, None, r.branch, tree="branch") for symbol in r.context
    )
    return Finding(
        id="",
        kind="phantom_dependency",
        title=title,
        confidence=confidence,
        source="static",
        locations=(
            removed_at,
            *context,
            *(
                Location(
                    u.path,
                    u.symbol,
                    u.line,
                    u.line,
                    u.branch,
                    tree="head" if ctx.merged else "branch",
                    commit=u.commit or None,
                    snippet=u.text,
                )
                for u in uses[: params.max_uses]
            ),
        ),
        evidence=tuple(evidence),
        recommendation=(
            "Nothing to do: the uses were updated after it landed."
            if tier == "resolved"
            else f"{fix}; merged as is, the code fails at import or call time."
        ),
        tier="candidate" if tier == "candidate" else "finding",
        status="resolved" if tier == "resolved" else "open",
        resolved="every use was updated or removed before HEAD" if tier == "resolved" else None,
    )
