"""Where a name in a file comes from: its imports, read for Python, JavaScript/TypeScript
and Go, and the files of a tree an import can mean.

A use of a removed name is only a phantom dependency when it resolves to what was
removed; a name imported from another module (``from urllib.parse import urlencode``, a
method on another type) is a different thing that happens to share the word.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from idealize.repo.languages import family, language_of


@dataclass(frozen=True)
class Binding:
    """One name an import brings into a file."""

    line: int  # 1-based line of the import statement
    local: str  # the name the file uses
    module: str  # the module as written: `app.api`, `.api`, `./api`, `github.com/x/y/pkg`
    imported: str | None  # the name taken from the module; None: the module itself


_PY_FROM = re.compile(r"^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)", re.M)
_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.M)
_JS_FROM = re.compile(
    r"""\b(import|export)\s+(type\s+)?([\w$*{}\s,]*?)\s*from\s*["']([^"']+)["']""", re.S
)
_JS_REQUIRE = re.compile(
    r"""\b(?:const|let|var)\s+(\{[^}]*\}|[\w$]+)\s*=\s*require\(\s*["']([^"']+)["']\s*\)"""
)
_GO_IMPORT_BLOCK = re.compile(r"^import\s*\(([^)]*)\)", re.M)
_GO_IMPORT_LINE = re.compile(r'^import\s+([\w.]+\s+)?"([^"]+)"', re.M)
_GO_SPEC = re.compile(r'^\s*([\w.]+\s+)?"([^"]+)"', re.M)


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _python(text: str) -> list[Binding]:
    out: list[Binding] = []
    for m in _PY_FROM.finditer(text):
        module, names = m.group(1), m.group(2).strip("() \t\n")
        line = _line_at(text, m.start())
        for part in names.replace("\n", ",").split(","):
            part = part.split("#")[0].strip()
            if not part or part == "*":
                continue
            name, _, alias = part.partition(" as ")
            out.append(Binding(line, (alias or name).strip(), module, name.strip()))
    for m in _PY_IMPORT.finditer(text):
        line = _line_at(text, m.start())
        for part in m.group(1).split(","):
            part = part.strip()
            if not part:
                continue
            name, _, alias = part.partition(" as ")
            name = name.strip()
            out.append(Binding(line, alias.strip() or name.split(".")[0], name, None))
    return out


def _javascript(text: str) -> list[Binding]:
    out: list[Binding] = []
    for m in _JS_FROM.finditer(text):
        clause, module = m.group(3), m.group(4)
        line = _line_at(text, m.start())
        braces = re.search(r"\{([^}]*)\}", clause)
        if braces:
            for part in braces.group(1).split(","):
                part = re.sub(r"^\s*type\s+", "", part).strip()
                if not part:
                    continue
                name, _, alias = part.partition(" as ")
                out.append(Binding(line, (alias or name).strip(), module, name.strip()))
        rest = re.sub(r"\{[^}]*\}", "", clause)
        star = re.search(r"\*\s+as\s+([\w$]+)", rest)
        if star:
            out.append(Binding(line, star.group(1), module, None))
        default = re.match(r"\s*([\w$]+)\s*(,|$)", rest)
        if default and m.group(1) == "import":
            out.append(Binding(line, default.group(1), module, "default"))
    for m in _JS_REQUIRE.finditer(text):
        target, module = m.group(1), m.group(2)
        line = _line_at(text, m.start())
        if target.startswith("{"):
            for part in target.strip("{} ").split(","):
                name, _, alias = part.partition(":")
                if name.strip():
                    out.append(Binding(line, (alias or name).strip(), module, name.strip()))
        else:
            out.append(Binding(line, target, module, None))
    return out


def _go(text: str) -> list[Binding]:
    out: list[Binding] = []
    specs: list[tuple[int, str | None, str]] = []
    for m in _GO_IMPORT_BLOCK.finditer(text):
        base = _line_at(text, m.start(1))
        for s in _GO_SPEC.finditer(m.group(1)):
            specs.append((base + m.group(1).count("\n", 0, s.start()), s.group(1), s.group(2)))
    for m in _GO_IMPORT_LINE.finditer(text):
        specs.append((_line_at(text, m.start()), m.group(1), m.group(2)))
    for line, alias, path in specs:
        local = (alias or "").strip() or path.rstrip("/").rsplit("/", 1)[-1]
        out.append(Binding(line, local, path, None))
    return out


def imports(text: str, language: str) -> list[Binding]:
    """Every import binding of a file (empty for languages not read here)."""
    return list(_imports(text, family(language)))


@lru_cache(maxsize=1024)
def _imports(text: str, fam: str) -> tuple[Binding, ...]:
    """Read once per file text: the phantom check asks for one file's imports once per
    name it resolves there (8,000 times on pydantic-ai)."""
    if fam == "python":
        return tuple(_python(text))
    if fam == "typescript":
        return tuple(_javascript(text))
    if fam == "go":
        return tuple(_go(text))
    return ()


_JS_STAR = re.compile(r"""^[ \t]*export\s+(?:type\s+)?\*\s+from\s*["']([^"']+)["']""", re.M)
_PY_STAR = re.compile(r"^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+\*", re.M)


def star_exports(text: str, language: str) -> list[str]:
    """The modules a file passes on whole: `export * from "./legacy-agent"` (not
    `export * as ns`, which names one object), Python's `from .legacy import *`."""
    fam = family(language)
    pattern = _JS_STAR if fam == "typescript" else _PY_STAR if fam == "python" else None
    return [m.group(1) for m in pattern.finditer(text)] if pattern else []


def bound(text: str, language: str, name: str) -> list[Binding]:
    """The imports that bind ``name`` in the file."""
    return [b for b in imports(text, language) if b.local == name]


# the sources TypeScript compiles to each output extension
_SOURCES_OF = {
    ".js": (".ts", ".tsx", ".d.ts"),
    ".jsx": (".tsx",),
    ".mjs": (".mts", ".d.mts"),
    ".cjs": (".cts", ".d.cts"),
}


def module_files(module: str, importer: str, paths: Collection[str]) -> list[str]:
    """Files of a tree an import of ``module`` from ``importer`` can mean.

    Python: ``a.b.c`` is ``a/b/c.py`` or ``a/b/c/__init__.py`` under any source root
    (``src/``...), relative imports (``.c``, ``..b.c``) start at the importer's folder.
    JS/TS: ``./x``, ``../x`` against the importer (``.ts``, ``.tsx``, ``.js``,
    ``/index.*``); bare specifiers are packages, not files here. Go: an import path names
    a folder; every file of the folder is the package.
    """
    language = language_of(importer)
    folder = importer.rsplit("/", 1)[0] if "/" in importer else ""
    if language is None:
        return []
    fam = family(language)
    if fam == "python":
        dots = len(module) - len(module.lstrip("."))
        rest = module[dots:].replace(".", "/")
        if dots:
            parts = folder.split("/") if folder else []
            if dots > 1:
                parts = parts[: max(0, len(parts) - (dots - 1))]
            stem = "/".join([*parts, rest] if rest else parts)
            return [c for c in (f"{stem}.py", f"{stem}/__init__.py") if c in paths]
        wanted = (f"{rest}.py", f"{rest}/__init__.py")
        return sorted(
            p for p in paths if p in wanted or p.endswith(("/" + wanted[0], "/" + wanted[1]))
        )
    if fam == "typescript":
        if not module.startswith("."):
            return []
        parts = folder.split("/") if folder else []
        for piece in module.split("/"):
            if piece == "..":
                parts = parts[:-1]
            elif piece not in (".", ""):
                parts.append(piece)
        stem = "/".join(parts)
        exts = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts")
        candidates = [stem, *(stem + e for e in exts), *(f"{stem}/index{e}" for e in exts)]
        # TypeScript resolves an import of the output file to its source: `./x.js` is
        # `x.ts`, `./x.cjs` is `x.cts`, `./x.mjs` is `x.mts` (open-swe: `require("./config.cjs")`
        # after config.cjs became config.cts was read as using a deleted module)
        for output, sources in _SOURCES_OF.items():
            if stem.endswith(output):
                candidates += [stem[: -len(output)] + e for e in sources]
        return [c for c in candidates if c in paths]
    if fam == "go":
        return sorted(
            p
            for p in paths
            if p.endswith(".go")
            and "/" in p
            and (module == p.rsplit("/", 1)[0] or module.endswith("/" + p.rsplit("/", 1)[0]))
        )
    return []


def package_of(path: str) -> str:
    """A Go file's package is its folder."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def would_mean(module: str, importer: str, removed: str) -> bool:
    """Would an import of ``module`` from ``importer`` have meant the file ``removed``?"""
    if family(language_of(importer) or "") == "go":
        return package_of(removed) != "" and (
            module == package_of(removed) or module.endswith("/" + package_of(removed))
        )
    if family(language_of(importer) or "") == "python" and module.split(".")[0] in _STDLIB:
        return False  # `import string` is the standard library's, not a `tools/string.py`
    return removed in module_files(module, importer, {removed})


# the standard library's top-level modules (awslabs/mcp: `import string` in two servers was
# read as an import of `valkey_mcp_server/tools/string.py`, which #4024 deleted)
_STDLIB = frozenset(sys.stdlib_module_names)


def names_on(text: str) -> Iterable[str]:
    return re.findall(r"[A-Za-z_$][\w$]*", text)
