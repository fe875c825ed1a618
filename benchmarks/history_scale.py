"""How `idealize cleanup --since REF --offline` scales with the length of the history, next to
its floor: one `git diff -U0 <merge-base> <branch>` per landed branch, measured in the same run.
These machines are shared and noisy, so the ratios against the floor are the figures.

    python benchmarks/history_scale.py                       # 50, 100, 200, 400, 800 branches
    python benchmarks/history_scale.py --sizes 50,100 --repeat 3
    python benchmarks/history_scale.py --repo PATH --since REF   # one real long history
    python benchmarks/history_scale.py --keep DIR            # keep the generated repository

For each size it prints the floor, idealize cold (an empty IDEALIZE_CACHE_DIR) and warm (the
same cache again), their ratios to the floor, the stage times idealize itself reports with
--verbose, and at the end the growth per doubling from 100 to 800 branches.
Targets (issue 16): cold <= 3x the floor and warm <= 1.5x at 400 and 800 branches and on a
real long history; growth per doubling <= 2.3x. (This replaces collect_speed.py, whose
generated history -- one Python package, one edit per branch, all merged in sequence --
was too plain to show how a real history behaves; analysis_scale.py still measures the
detectors alone on synthetic pieces.)

What makes the generated history realistic (each point is something real agent-built
repositories have, and that changes what idealize has to do):

- A mid-size repository, not a toy: about 900 files at the start -- Python, TypeScript and Go
  packages (tree-sitter parses all three), plus Markdown, JSON and YAML that idealize
  only diffs. File sizes follow a log-normal spread like real code: most modules hold 4-15
  definitions (60-250 lines), a few hold 60+ (1,000+ lines), and classes (Go: structs with
  methods) nest methods, so qualified names and nested hashes are exercised.
- Hot spots: every branch works in one area (a package) but also reaches into shared
  modules picked with Zipf weights (a utils module, an API client, the CHANGELOG), so some
  files are touched by dozens of branches and most by few -- the overlap idealize reports.
- What branches do, in realistic proportions: modify function bodies (most), add functions
  (some near-copies of an existing function under a new name, as agents do), add files,
  rename functions (updating callers in a few files), delete functions, rename and delete
  files, and edit docs and config. Bodies call functions of other modules, so renames and
  deletions leave real callers behind.
- Size of a branch: log-normal, median 3 files, a tail of 20-40-file refactors; 1-5 commits.
- Parallel work in windows, not all at once: a branch starts from main as it was a few
  landings earlier (usually 0-12, a tail up to 40), so branches in flight overlap in time
  the way eight agents over a week do, and merge-bases are spread over the history.
- How work lands, as on GitHub: merge commits ("Merge pull request #N from agent/..."), some
  of whose branches merged main back in midway; squash merges ("subject (#N)"); rebase
  merges (several consecutive commits naming the same PR); and a few direct commits.
- Committer times an hour or so apart, branch commits between start and landing.
- Generated with `git fast-import` and packed (`git gc`), as a fresh clone is.
- The sizes are the last N branches of one 800-branch history (`bench-N` tags mark where
  each range starts): the repository at HEAD is the same for every size, as when one asks
  about a longer stretch of the same project.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

SIZES = (50, 100, 200, 400, 800)

# -- the code model ----------------------------------------------------------------------

VERBS = [
    "load",
    "fetch",
    "parse",
    "render",
    "validate",
    "store",
    "send",
    "build",
    "merge",
    "compute",
    "resolve",
    "sync",
    "apply",
    "collect",
    "format",
    "normalize",
    "update",
    "create",
    "delete",
    "find",
    "check",
    "register",
    "schedule",
]
NOUNS = [
    "user",
    "order",
    "invoice",
    "model",
    "session",
    "config",
    "report",
    "token",
    "cache",
    "price",
    "route",
    "event",
    "account",
    "message",
    "payload",
    "batch",
    "job",
    "record",
    "queue",
    "policy",
    "schema",
    "metric",
    "webhook",
]
QUALIFIERS = ["all", "pending", "cached", "raw", "default", "active", "remote", "local", "next"]


@dataclass(frozen=True)
class Item:
    """A definition: a function, or a class/struct holding methods."""

    name: str
    kind: str  # "func" or "class"
    seed: int  # the body is drawn from this (equal seeds, equal bodies: duplicates)
    version: int
    size: int  # statements in the body
    calls: tuple[str, ...]
    members: tuple[Item, ...] = ()
    edits: tuple[int, ...] = ()  # statements changed since it was written, by position


def _edited(it: Item, picks: tuple[int, ...]) -> Item:
    """A few statements rewritten (one may be appended), the rest of the body as it was."""
    size, edits = it.size, list(it.edits)
    for pick in picks:
        at = pick % (size + 1)
        size = max(size, at + 1)
        edits.append(at)
    return replace(it, size=size, edits=tuple(edits), version=it.version + 1)


@dataclass(frozen=True)
class File:
    lang: str  # python, typescript, go, text
    header_seed: int
    items: tuple[Item, ...] = ()
    text_lines: tuple[str, ...] = ()  # for text files


def _words(rng: random.Random) -> list[str]:
    words = [rng.choice(VERBS), rng.choice(NOUNS)]
    if rng.random() < 0.5:
        words.insert(1, rng.choice(QUALIFIERS))
    return words


def _ident(words: list[str], lang: str, exported: bool = True) -> str:
    if lang == "python":
        return "_".join(words)
    camel = words[0] + "".join(w.title() for w in words[1:])
    if lang == "go" and exported:
        return camel[0].upper() + camel[1:]
    return camel


def _class_name(rng: random.Random) -> str:
    return rng.choice(NOUNS).title() + rng.choice(["Service", "Store", "Client", "Manager", "View"])


LIBRARY = {
    "python": [
        "json.loads",
        "os.path.join",
        "re.match",
        "time.time",
        "sorted",
        "len",
        "min",
        "max",
        "hashlib.sha256",
        "self.client.get",
        "self.store.put",
        "logger.debug",
    ],
    "typescript": [
        "JSON.parse",
        "Object.keys",
        "Math.max",
        "Array.from",
        "this.client.get",
        "this.store.set",
        "console.debug",
        "Date.now",
        "encodeURIComponent",
        "Promise.all",
    ],
    "go": [
        "strings.Split",
        "fmt.Sprintf",
        "strconv.Itoa",
        "json.Marshal",
        "s.client.Get",
        "s.store.Put",
        "time.Now",
        "len",
        "sort.Strings",
        "errors.New",
    ],
}
FIELDS = [
    "id",
    "name",
    "status",
    "items",
    "total",
    "created",
    "owner",
    "kind",
    "retries",
    "payload",
]


class _Gen:
    """A function body as a small random syntax tree, written out in one language.

    Bodies differ in shape (nesting, arity, literals, early returns, loops, error handling),
    not only in names, as real functions do: the duplicate detector compares shapes."""

    def __init__(self, lang: str, item: Item) -> None:
        self.lang = lang
        self.item = item
        self.rng = random.Random(item.seed * 7919)
        rng = self.rng
        words = [rng.choice(NOUNS) for _ in range(rng.randint(3, 6))]
        self.locals = list(
            dict.fromkeys(
                _ident(
                    [w, rng.choice(["", "s", "list", "map", "count"])]
                    if rng.random() < 0.4
                    else [w],
                    lang,
                    exported=False,
                ).rstrip("_")
                for w in words
            )
        )
        self.calls = list(item.calls) + rng.sample(LIBRARY[lang], 3)

    # expressions
    def expr(self, depth: int = 0) -> str:
        rng, lang = self.rng, self.lang
        roll = rng.random() if depth < 2 else rng.random() * 0.45
        if roll < 0.2:
            return rng.choice(self.locals)
        if roll < 0.3:
            return str(rng.choice([0, 1, 2, 10, 100, rng.randrange(1000)]))
        if roll < 0.4:
            text = " ".join(rng.sample(NOUNS, rng.randint(1, 2)))
            return f'"{text}"'
        if roll < 0.45:
            var = rng.choice(self.locals)
            field = rng.choice(FIELDS)
            return {
                "python": f'{var}["{field}"]',
                "typescript": f"{var}.{field}",
                "go": f"{var}.{field.title()}",
            }[lang]
        if roll < 0.75:
            args = ", ".join(self.expr(depth + 1) for _ in range(rng.randint(0, 3)))
            return f"{rng.choice(self.calls)}({args})"
        if roll < 0.85:
            op = rng.choice(["+", "-", "*"])
            return f"{self.expr(depth + 1)} {op} {self.expr(depth + 1)}"
        if roll < 0.92:
            items = ", ".join(self.expr(depth + 1) for _ in range(rng.randint(1, 3)))
            return {"python": f"[{items}]", "typescript": f"[{items}]", "go": f"[]any{{{items}}}"}[
                lang
            ]
        keys = rng.sample(FIELDS, rng.randint(1, 3))
        if lang == "python":
            return "{" + ", ".join(f'"{k}": {self.expr(depth + 1)}' for k in keys) + "}"
        if lang == "typescript":
            return "{ " + ", ".join(f"{k}: {self.expr(depth + 1)}" for k in keys) + " }"
        return "map[string]any{" + ", ".join(f'"{k}": {self.expr(depth + 1)}' for k in keys) + "}"

    def cond(self) -> str:
        rng, lang = self.rng, self.lang
        a = rng.choice(self.locals)
        roll = rng.random()
        if roll < 0.3:
            return {"python": f"not {a}", "typescript": f"!{a}", "go": f"{a} == nil"}[lang]
        if roll < 0.6:
            op = rng.choice(["<", ">", "==", "!="])
            if lang == "typescript" and op in ("==", "!="):
                op += "="
            return f"{self.expr(2)} {op} {self.expr(2)}"
        b = rng.choice(self.locals)
        both = {"python": " and ", "typescript": " && ", "go": " && "}[lang]
        return f"{a} != nil{both}{b} != nil" if lang == "go" else f"{a}{both}{b}"

    # statements
    def body(self, indent: str) -> list[str]:
        """Each top-level statement is drawn from its own seed: an edit rewrites only it."""
        out: list[str] = []
        for i in range(self.item.size):
            self.rng = random.Random(self.item.seed * 7919 + i * 104729 + self.item.edits.count(i))
            out += self.stmt(indent, 0)
        self.rng = random.Random(self.item.seed * 31 + len(self.item.edits))
        return out

    def block(self, n: int, indent: str, depth: int) -> list[str]:
        out: list[str] = []
        for _ in range(n):
            out += self.stmt(indent, depth)
        return out or self.stmt(indent, depth + 9)

    def stmt(self, ind: str, depth: int) -> list[str]:
        rng, lang = self.rng, self.lang
        step = {"python": "    ", "typescript": "  ", "go": "\t"}[lang]
        semi = ";" if lang == "typescript" else ""
        var = rng.choice(self.locals)
        roll = rng.random() if depth < 2 else rng.random() * 0.5
        if roll < 0.35:
            return [f"{ind}{var} = {self.expr()}{semi}"]
        if roll < 0.42:
            return [
                f"{ind}{self.expr(1) if rng.random() < 0.3 else rng.choice(self.calls)}({self.expr(2)}){semi}"
            ]
        if roll < 0.47:
            text = " ".join(rng.sample(VERBS + NOUNS, rng.randint(2, 5)))
            lead = {"python": "# ", "typescript": "// ", "go": "// "}[lang]
            return [f"{ind}{lead}{text}"]
        if roll < 0.5:
            op = rng.choice(["+=", "-=", "*="])
            return [f"{ind}{var} {op} {self.expr(1)}{semi}"]
        inner = ind + step
        body = self.block(rng.randint(1, 3), inner, depth + 1)
        if roll < 0.68:
            c = self.cond()
            if rng.random() < 0.3:
                ret = {
                    "python": f"{inner}return {self.expr(1)}",
                    "typescript": f"{inner}return {self.expr(1)};",
                    "go": f"{inner}return nil",
                }[lang]
                body = [ret]
            if lang == "python":
                out = [f"{ind}if {c}:", *body]
                if rng.random() < 0.3:
                    out += [f"{ind}else:", *self.block(1, inner, depth + 1)]
                return out
            out = [f"{ind}if {c} {{" if lang == "go" else f"{ind}if ({c}) {{", *body]
            if rng.random() < 0.3:
                out += [f"{ind}}} else {{", *self.block(1, inner, depth + 1)]
            return [*out, f"{ind}}}"]
        if roll < 0.84:
            it = rng.choice(["row", "entry", "item", "child", "part"])
            src = rng.choice(self.locals)
            if lang == "python":
                return [f"{ind}for {it} in {src}:", f"{inner}{var} = {it}", *body]
            if lang == "typescript":
                return [
                    f"{ind}for (const {it} of {src}) {{",
                    f"{inner}{var} = {it};",
                    *body,
                    f"{ind}}}",
                ]
            return [
                f"{ind}for _, {it} := range {src} {{",
                f"{inner}{var} = {it}",
                *body,
                f"{ind}}}",
            ]
        if roll < 0.92:
            call = f"{rng.choice(self.calls)}({self.expr(2)})"
            if lang == "python":
                exc = rng.choice(["ValueError", "KeyError", "(OSError, TimeoutError)"])
                return [
                    f"{ind}try:",
                    f"{inner}{var} = {call}",
                    f"{ind}except {exc} as exc:",
                    f'{inner}logger.warning("{var} failed: %s", exc)',
                    *body,
                ]
            if lang == "typescript":
                return [
                    f"{ind}try {{",
                    f"{inner}{var} = {call};",
                    f"{ind}}} catch (err) {{",
                    f"{inner}console.warn('{var} failed', err);",
                    *body,
                    f"{ind}}}",
                ]
            return [
                f"{ind}if err := {call}; err != nil {{",
                f'{inner}return fmt.Errorf("{var}: %w", err)',
                f"{ind}}}",
            ]
        if lang == "python":
            return [f"{ind}while {self.cond()}:", *body, f"{inner}break"]
        if lang == "typescript":
            return [f"{ind}while ({self.cond()}) {{", *body, f"{inner}break;", f"{ind}}}"]
        return [f"{ind}for {self.cond()} {{", *body, f"{inner}break", f"{ind}}}"]


def _render_func(lang: str, item: Item, indent: str, method_of: str | None) -> list[str]:
    gen = _Gen(lang, item)
    rng = gen.rng
    params = gen.locals[: rng.randint(1, min(3, len(gen.locals)))]
    rest = gen.locals[len(params) :]
    doc = f"{item.name.replace('_', ' ')} for the {rng.choice(NOUNS)}s."
    if lang == "python":
        self_ = ["self"] if method_of else []
        head = [
            f"{indent}def {item.name}({', '.join(self_ + params)}, limit={rng.randint(1, 50)}):",
            f'{indent}    """{doc.capitalize()}"""',
        ]
        pre = [f"{indent}    {v} = None" for v in rest]
        return head + pre + gen.body(indent + "    ") + [f"{indent}    return {gen.expr(1)}"]
    if lang == "typescript":
        word = (
            ""
            if method_of
            else ("export async function " if rng.random() < 0.3 else "export function ")
        )
        head = [
            f"{indent}/** {doc} */",
            f"{indent}{word}{item.name}({', '.join(f'{p}: any' for p in params)}): any {{",
        ]
        pre = [f"{indent}  let {', '.join(rest)}: any;"] if rest else []
        return (
            head
            + pre
            + gen.body(indent + "  ")
            + [f"{indent}  return {gen.expr(1)};", f"{indent}}}"]
        )
    recv = f"(s *{method_of}) " if method_of else ""
    head = [
        f"// {item.name} handles {doc}",
        f"func {recv}{item.name}({', '.join(params)} any) (any, error) {{",
    ]
    pre = [f"\tvar {', '.join(rest)} any"] if rest else []
    use = [f"\t_ = {v}" for v in gen.locals]
    return head + pre + gen.body("\t") + use + [f"\treturn {gen.expr(1)}, nil", "}"]


def render(path: str, f: File) -> str:
    if f.lang == "text":
        return "\n".join(f.text_lines) + "\n"
    rng = random.Random(f.header_seed)
    out: list[str] = []
    if f.lang == "python":
        out += [
            f'"""The {rng.choice(NOUNS)} {rng.choice(["helpers", "service", "models", "views"])}."""',
            "",
        ]
        out += [
            "from __future__ import annotations",
            "",
            "import logging",
            f"from app.core import {rng.choice(VERBS)}_{rng.choice(NOUNS)}",
            "",
            "",
        ]
        for it in f.items:
            if it.kind == "class":
                out.append(f"class {it.name}:")
                out.append(f'    """Keeps {it.name.lower()} state."""')
                for m in it.members:
                    out.append("")
                    out += _render_func("python", m, "    ", it.name)
            else:
                out += _render_func("python", it, "", None)
            out += ["", ""]
    elif f.lang == "typescript":
        out += [
            f"import {{ {rng.choice(VERBS)}{rng.choice(NOUNS).title()} }} from '../lib/api';",
            "",
        ]
        for it in f.items:
            if it.kind == "class":
                out.append(f"export class {it.name} {{")
                for m in it.members:
                    out += _render_func("typescript", m, "  ", it.name)
                    out.append("")
                out.append("}")
            else:
                out += _render_func("typescript", it, "", None)
            out.append("")
    else:
        pkg = path.split("/")[-2].replace("-", "")
        out += [f"package {pkg}", ""]
        for it in f.items:
            if it.kind == "class":
                out += [
                    f"// {it.name} keeps state.",
                    f"type {it.name} struct {{",
                    "\tname string",
                    "\tcount int",
                    "}",
                    "",
                ]
                for m in it.members:
                    out += _render_func("go", m, "", it.name)
                    out.append("")
            else:
                out += _render_func("go", it, "", None)
                out.append("")
    return "\n".join(out) + "\n"


# -- the repository at the start ---------------------------------------------------------


class World:
    """The files on main, and everything needed to invent plausible changes to them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seed = 1000
        self.files: dict[str, File] = {}
        self.areas: list[str] = []
        self.hot: list[str] = []

    def next_seed(self) -> int:
        self.seed += 1
        return self.seed

    def new_func(
        self, lang: str, calls_from: list[str], name: str | None = None, seed: int | None = None
    ) -> Item:
        rng = self.rng
        name = name or _ident(_words(rng), lang)
        size = max(2, min(40, int(rng.lognormvariate(1.3, 0.6))))
        calls = (
            tuple(rng.sample(calls_from, min(len(calls_from), rng.randint(1, 4))))
            if calls_from
            else ()
        )
        return Item(name, "func", seed if seed is not None else self.next_seed(), 0, size, calls)

    def new_class(self, lang: str, calls_from: list[str]) -> Item:
        methods = []
        seen: set[str] = set()
        for _ in range(self.rng.randint(2, 8)):
            m = self.new_func(
                lang, calls_from, name=_ident(_words(self.rng), lang, exported=lang == "go")
            )
            if m.name not in seen:
                seen.add(m.name)
                methods.append(m)
        return Item(_class_name(self.rng), "class", self.next_seed(), 0, 0, (), tuple(methods))

    def new_file(self, lang: str, pool: list[str]) -> File:
        rng = self.rng
        count = max(1, min(90, int(rng.lognormvariate(1.8, 0.8))))
        items: list[Item] = []
        names: set[str] = set()
        for _ in range(count):
            it = self.new_class(lang, pool) if rng.random() < 0.15 else self.new_func(lang, pool)
            if it.name in names:
                continue
            names.add(it.name)
            items.append(it)
            pool.append(it.name) if it.kind == "func" else None
        return File(lang, self.next_seed(), tuple(items))

    def build(self, scale: float = 1.0) -> None:
        """About 900 files at ``scale`` 1; tests use a smaller repository."""
        rng = self.rng

        def scaled(n: int) -> int:
            return max(1, round(n * scale))

        layout = [
            ("python", "app/{area}/{mod}.py", scaled(30), 10),
            ("typescript", "web/src/{area}/{mod}.ts", scaled(25), 10),
            ("go", "internal/{area}/{mod}.go", scaled(14), 10),
        ]
        for lang, pattern, areas, per in layout:
            pool: list[str] = []
            for a in range(areas):
                area = f"{rng.choice(NOUNS)}{a}"
                self.areas.append(pattern.split("{area}")[0] + area)
                for m in range(rng.randint(per // 2, per + 6)):
                    mod = f"{rng.choice(NOUNS)}_{rng.choice(['util', 'api', 'models', 'views', 'store', 'jobs'])}{m}"
                    if lang == "typescript":
                        mod = mod.replace("_", "-")
                    path = pattern.format(area=area, mod=mod)
                    self.files[path] = self.new_file(lang, pool)
            shared = {
                "python": "app/core/utils.py",
                "typescript": "web/src/lib/api.ts",
                "go": "internal/core/server.go",
            }[lang]
            self.files[shared] = self.new_file(lang, pool)
            self.hot.append(shared)
        for i in range(scaled(90)):
            self.files[f"docs/{rng.choice(NOUNS)}-{i}.md"] = File(
                "text",
                0,
                (),
                tuple(
                    f"Line {j} about the {rng.choice(NOUNS)}." for j in range(rng.randint(10, 200))
                ),
            )
        for i in range(scaled(60)):
            self.files[f"config/{rng.choice(NOUNS)}{i}.json"] = File(
                "text",
                0,
                (),
                (
                    "{",
                    *tuple(f'  "{rng.choice(NOUNS)}_{j}": {j},' for j in range(rng.randint(5, 60))),
                    '  "end": 0',
                    "}",
                ),
            )
        for i in range(scaled(30)):
            self.files[f"deploy/{rng.choice(NOUNS)}{i}.yaml"] = File(
                "text",
                0,
                (),
                tuple(f"{rng.choice(NOUNS)}{j}: {j}" for j in range(rng.randint(5, 80))),
            )
        self.files["CHANGELOG.md"] = File("text", 0, (), ("# Changelog", ""))
        self.files["README.md"] = File(
            "text", 0, (), tuple(f"Readme line {j}." for j in range(120))
        )
        self.hot += ["CHANGELOG.md", "README.md"]


# -- branches ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    kind: str
    path: str
    arg: object = None


def _names(f: File) -> list[str]:
    return [it.name for it in f.items]


def apply(files: dict[str, File], op: Op) -> set[str]:
    """Apply one change to a dict of files in place; the paths it changed. Changes that no
    longer fit (the function went away on main meanwhile) are dropped, as a rebase would."""
    f = files.get(op.path)
    if op.kind == "add_file":
        files[op.path] = op.arg  # type: ignore[assignment]
        return {op.path}
    if f is None:
        return set()
    if op.kind == "delete_file":
        del files[op.path]
        return {op.path}
    if op.kind == "rename_file":
        del files[op.path]
        files[str(op.arg)] = f
        return {op.path, str(op.arg)}
    if op.kind == "text":
        line, pos = op.arg  # type: ignore[misc]
        lines = list(f.text_lines)
        lines.insert(min(pos, len(lines)), line)
        files[op.path] = replace(f, text_lines=tuple(lines))
        return {op.path}
    items = list(f.items)
    if op.kind == "add":
        item, pos = op.arg  # type: ignore[misc]
        if item.name in _names(f):
            return set()
        items.insert(min(pos, len(items)), item)
    elif op.kind in ("modify", "rename", "delete", "modify_method"):
        target = op.arg[0]  # type: ignore[index]
        idx = next((i for i, it in enumerate(items) if it.name == target), None)
        if idx is None:
            return set()
        it = items[idx]
        if op.kind == "modify":
            _, picks, calls = op.arg  # type: ignore[misc]
            items[idx] = replace(_edited(it, picks), calls=calls or it.calls)
        elif op.kind == "modify_method":
            _, method, picks = op.arg  # type: ignore[misc]
            members = tuple(_edited(m, picks) if m.name == method else m for m in it.members)
            items[idx] = replace(it, members=members)
        elif op.kind == "rename":
            new = op.arg[1]  # type: ignore[index]
            if new in _names(f):
                return set()
            items[idx] = replace(it, name=new)
        else:
            del items[idx]
    elif op.kind == "callers":
        old, new = op.arg  # type: ignore[misc]
        changed = False
        for i, it in enumerate(items):
            if old in it.calls:
                items[i] = replace(it, calls=tuple(new if c == old else c for c in it.calls))
                changed = True
        if not changed:
            return set()
    files[op.path] = replace(f, items=tuple(items))
    return {op.path}


class Planner:
    """Invents one branch's changes against the files it starts from."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        code = [p for p, f in world.files.items() if f.lang != "text"]
        self.hot_weights = [1.0 / (i + 1) for i in range(len(world.hot))]
        self.code_paths = code

    def pick_file(self, files: dict[str, File], area: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.18:
            return rng.choices(self.world.hot, self.hot_weights)[0]
        in_area = [p for p in files if p.startswith(area + "/")]
        if roll < 0.85 and in_area:
            return rng.choice(in_area)
        return rng.choice(list(files))

    def plan(self, files: dict[str, File], number: int) -> tuple[list[Op], str]:
        rng = self.rng
        world = self.world
        area = rng.choice(world.areas)
        n_files = max(1, min(40, int(rng.lognormvariate(1.1, 0.8))))
        ops: list[Op] = []
        words = _words(rng)
        topic = " ".join(words)
        lang_of = {p: f.lang for p, f in files.items()}
        for _ in range(n_files):
            path = self.pick_file(files, area)
            f = files.get(path)
            if f is None:
                continue
            roll = rng.random()
            if f.lang == "text":
                ops.append(
                    Op(
                        "text",
                        path,
                        (
                            f"- {topic} ({number}): {rng.choice(VERBS)} the {rng.choice(NOUNS)}.",
                            2 if path == "CHANGELOG.md" else rng.randrange(len(f.text_lines) + 1),
                        ),
                    )
                )
                continue
            names = _names(f)
            funcs = [it for it in f.items if it.kind == "func"]
            classes = [it for it in f.items if it.kind == "class" and it.members]
            pool = [n for n in names if n] + [c for it in funcs[:3] for c in it.calls]
            if roll < 0.42 and funcs:
                for it in rng.sample(funcs, min(len(funcs), rng.randint(1, 3))):
                    calls = tuple(rng.sample(pool, min(2, len(pool)))) if rng.random() < 0.3 else ()
                    picks = tuple(rng.randrange(1000) for _ in range(rng.choice([1, 1, 1, 2, 3])))
                    ops.append(Op("modify", path, (it.name, picks, calls)))
            elif roll < 0.52 and classes:
                c = rng.choice(classes)
                ops.append(
                    Op(
                        "modify_method",
                        path,
                        (c.name, rng.choice(c.members).name, (rng.randrange(1000),)),
                    )
                )
            elif roll < 0.74:
                dup_of = rng.choice(funcs) if funcs and rng.random() < 0.12 else None
                name = _ident([*_words(rng)], f.lang)
                if dup_of is not None:  # the same body under another name
                    item = replace(dup_of, name=name)
                else:
                    item = world.new_func(f.lang, pool, name=name)
                ops.append(Op("add", path, (item, rng.randrange(len(f.items) + 1))))
            elif roll < 0.82:
                lang = lang_of[path]
                folder = path.rsplit("/", 1)[0]
                ext = {"python": ".py", "typescript": ".ts", "go": ".go"}[lang]
                new_path = f"{folder}/{'_'.join(words) if lang != 'typescript' else '-'.join(words)}{number}{ext}"
                ops.append(Op("add_file", new_path, world.new_file(lang, list(pool))))
            elif roll < 0.88 and funcs:
                it = rng.choice(funcs)
                new = _ident(_words(rng), f.lang)
                ops.append(Op("rename", path, (it.name, new)))
                callers = [
                    p
                    for p in self.code_paths
                    if p in files
                    and lang_of.get(p) == f.lang
                    and any(it.name in x.calls for x in files[p].items)
                ]
                for p in rng.sample(callers, min(3, len(callers))):
                    ops.append(Op("callers", p, (it.name, new)))
            elif roll < 0.94 and len(funcs) > 2:
                ops.append(Op("delete", path, (rng.choice(funcs).name,)))
            elif roll < 0.97:
                folder, base = path.rsplit("/", 1)
                ops.append(Op("rename_file", path, f"{folder}/{number}_{base}"))
            elif len(files) > 50:
                ops.append(Op("delete_file", path))
        if not ops:
            ops.append(Op("text", "CHANGELOG.md", (f"- {topic} ({number})", 2)))
        kind = rng.choice(["feat", "fix", "refactor", "chore", "perf", "docs"])
        return ops, f"{kind}: {topic}"


# -- writing the history with git fast-import --------------------------------------------


class Stream:
    """A fast-import stream on the process's stdin."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE, env=_env()
        )
        self.mark = 0
        self.out = self.proc.stdin

    def write(self, text: str) -> None:
        assert self.out is not None
        self.out.write(text.encode())

    def data(self, payload: str) -> None:
        raw = payload.encode()
        self.write(f"data {len(raw)}\n")
        assert self.out is not None
        self.out.write(raw + b"\n")

    def commit(
        self, ref: str, when: int, message: str, parents: list[int], changes: dict[str, str | None]
    ) -> int:
        self.mark += 1
        self.write(f"commit {ref}\nmark :{self.mark}\n")
        self.write(f"author Agent <agent@example.com> {when} +0000\n")
        self.write(f"committer Agent <agent@example.com> {when} +0000\n")
        self.data(message)
        if parents:
            self.write(f"from :{parents[0]}\n")
        for p in parents[1:]:
            self.write(f"merge :{p}\n")
        for path in sorted(changes):
            text = changes[path]
            if text is None:
                self.write(f"D {path}\n")
            else:
                self.write(f"M 100644 inline {path}\n")
                self.data(text)
        self.write("\n")
        return self.mark

    def tag(self, name: str, mark: int) -> None:
        self.write(f"reset refs/tags/{name}\nfrom :{mark}\n\n")

    def close(self) -> None:
        self.write("done\n")
        assert self.out is not None
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def _changes(
    before: dict[str, File], after: dict[str, File], paths: set[str]
) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for p in paths:
        a, b = before.get(p), after.get(p)
        if a is b:
            continue
        out[p] = None if b is None else render(p, b)
    return out


def _diff_paths(a: dict[str, File], b: dict[str, File]) -> set[str]:
    return {p for p in a.keys() | b.keys() if a.get(p) is not b.get(p)}


def generate(dest: Path, branches: int, seed: int = 16, scale: float = 1.0) -> dict[int, str]:
    """Write the history into ``dest``; returns {size: the ref where its range starts}
    (``bench-N`` tags: the last N branches; N is every size of SIZES up to ``branches``, and
    ``branches`` itself). ``scale`` shrinks the repository, not the history."""
    rng = random.Random(seed)
    dest.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True, env=_env())
    world = World(rng)
    world.build(scale)
    planner = Planner(world, rng)
    stream = Stream(dest)
    when = 1_700_000_000
    main_files = dict(world.files)
    tip = stream.commit(
        "refs/heads/main",
        when,
        "Initial import\n",
        [],
        {p: render(p, f) for p, f in main_files.items()},
    )
    snapshots: list[tuple[int, dict[str, File]]] = [(tip, dict(main_files))]
    starts: dict[int, int] = {}
    number = 100
    for landed in range(branches):
        remaining = branches - landed
        if remaining in SIZES or remaining == branches:
            starts[remaining] = tip
        number += 1
        lag = rng.randint(0, 12) if rng.random() < 0.9 else rng.randint(12, 40)
        base_mark, base_files = snapshots[max(0, len(snapshots) - 1 - lag)]
        ops, subject = planner.plan(base_files, number)
        started = when - lag * 3600
        style = rng.choices(["merge", "squash", "rebase", "direct"], [45, 42, 9, 4])[0]
        n_commits = 1 if style == "direct" else min(len(ops), rng.randint(1, 5))
        cut = sorted(rng.sample(range(1, len(ops)), n_commits - 1)) if n_commits > 1 else []
        chunks = [ops[a:b] for a, b in zip([0, *cut], [*cut, len(ops)], strict=True)]
        when += rng.randint(600, 7200)
        slug = "-".join(subject.split(": ", 1)[1].split())
        if style == "merge":
            files = dict(base_files)
            head = base_mark
            back_merge_at = (
                rng.randrange(len(chunks)) if rng.random() < 0.08 and len(chunks) > 1 else -1
            )
            done: list[Op] = []
            for i, chunk in enumerate(chunks):
                t = started + (i + 1) * (when - started) // (len(chunks) + 2)
                if i == back_merge_at:  # merge main into the branch midway
                    merged = dict(snapshots[-1][1])
                    for op in done:
                        apply(merged, op)
                    head = stream.commit(
                        "refs/heads/bench-branch",
                        t,
                        "Merge branch 'main' into agent/" + slug + "\n",
                        [head, snapshots[-1][0]],
                        _changes(files, merged, _diff_paths(files, merged)),
                    )
                    files = merged
                before = dict(files)
                touched: set[str] = set()
                for op in chunk:
                    touched |= apply(files, op)
                done += chunk
                msg = f"{subject} (part {i + 1})\n" if len(chunks) > 1 else subject + "\n"
                head = stream.commit(
                    "refs/heads/bench-branch", t, msg, [head], _changes(before, files, touched)
                )
            touched = set()
            for op in done:
                touched |= apply(main_files, op)
            after = dict(main_files)
            previous = snapshots[-1][1]
            tip = stream.commit(
                "refs/heads/main",
                when,
                f"Merge pull request #{number} from agent/{slug}\n\n{subject}\n",
                [tip, head],
                _changes(previous, after, touched),
            )
        else:
            for i, chunk in enumerate(chunks):
                before = dict(main_files)
                touched = set()
                for op in chunk:
                    touched |= apply(main_files, op)
                msg = f"{subject} (#{number})\n" if style != "direct" else f"{subject}\n"
                if style == "rebase" and len(chunks) > 1:
                    msg = f"{subject}, step {i + 1} (#{number})\n"
                if style == "squash" and i < len(chunks) - 1:
                    continue  # a squash lands all commits as one
                if style == "squash":
                    before = snapshots[-1][1]
                    touched = _diff_paths(before, main_files)
                tip = stream.commit(
                    "refs/heads/main", when + i, msg, [tip], _changes(before, main_files, touched)
                )
            after = dict(main_files)
        snapshots.append((tip, after))
    for size, mark in starts.items():
        stream.tag(f"bench-{size}", mark)
    stream.write("reset refs/heads/bench-branch\nfrom 0000000000000000000000000000000000000000\n\n")
    stream.close()
    subprocess.run(
        ["git", "update-ref", "-d", "refs/heads/bench-branch"], cwd=dest, check=False, env=_env()
    )
    subprocess.run(["git", "gc", "-q"], cwd=dest, check=True, env=_env())
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=dest, check=True, env=_env())
    return {size: f"bench-{size}" for size in starts}


# -- measuring ----------------------------------------------------------------------------


def floor(repo: Path, pairs: list[tuple[str, str]]) -> float:
    """One `git diff -U0 <merge-base> <branch>` per landed branch, output read and dropped."""
    start = time.perf_counter()
    for base, head in pairs:
        subprocess.run(
            ["git", "diff", "-U0", base, head], cwd=repo, stdout=subprocess.PIPE, check=True
        )
    return time.perf_counter() - start


@dataclass(frozen=True)
class Run:
    seconds: float
    branches: list[tuple[str, str]]
    units: int
    findings: int
    stages: str  # what --verbose printed about stage times and cache hits
    digest: str  # of plan.json: identical inputs must give identical plans
    printed: float  # the total idealize printed (its stages add up to it)
    collection: float  # of which collect + parse: which branches, their diffs and symbols


_STAGE_LINE = re.compile(r"^idealize: (timings|cache)")
_TOTAL = re.compile(r"^idealize: timings: total (\d+\.\d+)s = (.*)$", re.M)


def idealize(repo: Path, since: str, cache: Path, workers: int | None) -> Run:
    env = {**os.environ, "IDEALIZE_CACHE_DIR": str(cache)}
    if workers:
        env["IDEALIZE_WORKERS"] = str(workers)
    with tempfile.TemporaryDirectory(prefix="idealize-bench-out-") as out:
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from idealize.cli import main; main()",
                "--verbose",
                "cleanup",
                str(repo),
                "--since",
                since,
                "--offline",
                "--format",
                "json",
                "--out",
                out,
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"idealize failed with exit code {proc.returncode}")
        text = Path(out, "plan.json").read_bytes()
    plan = json.loads(text)
    stages = "\n".join(line for line in proc.stderr.splitlines() if _STAGE_LINE.match(line))
    total = _TOTAL.search(proc.stderr)
    return Run(
        seconds,
        [(b["base"], b["head"]) for b in plan["branches"]],
        len(plan.get("units", [])),
        len(plan.get("findings", [])),
        stages,
        hashlib.sha256(text).hexdigest(),
        float(total.group(1)) if total else float("nan"),
        sum(_stage(total.group(2), name) for name in ("collect", "parse")) if total else 0.0,
    )


def _stage(parts: str, name: str) -> float:
    for part in parts.split(" + "):
        label, _, seconds = part.rpartition(" ")
        if label == name:
            return float(seconds)
    return 0.0


@dataclass(frozen=True)
class Row:
    label: str
    branches: int
    floor: float
    cold: float
    warm: float
    units: int
    findings: int
    cold_collection: float  # collect + parse of the cold run, as idealize timed them
    warm_collection: float


def measure(
    repo: Path, since: str, label: str, repeat: int, workers: int | None, show_stages: bool
) -> Row:
    with tempfile.TemporaryDirectory(prefix="idealize-bench-cache-") as tmp:
        cache = Path(tmp)
        colds: list[Run] = []
        for _ in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(idealize(repo, since, cache, workers))
        # the floor next to each kind of run, the lowest kept: the machine's load drifts
        floors = [floor(repo, colds[0].branches) for _ in range(repeat)]
        warms = [idealize(repo, since, cache, workers) for _ in range(repeat)]
        floors += [floor(repo, colds[0].branches) for _ in range(repeat)]
    cold = min(colds, key=lambda r: r.seconds)
    warm = min(warms, key=lambda r: r.seconds)
    base = min(floors)
    row = Row(
        label,
        len(cold.branches),
        base,
        cold.seconds,
        warm.seconds,
        cold.units,
        cold.findings,
        cold.collection,
        warm.collection,
    )
    if show_stages:
        for name, r in (("cold", cold), ("warm", warm)):
            for line in r.stages.splitlines():
                print(f"    {label} {name}: {line.removeprefix('idealize: ')}")
            share = r.printed / r.seconds
            print(
                f"    {label} {name}: stages add up to {r.printed:.2f}s of the {r.seconds:.2f}s"
                f" measured from outside ({share:.1%})"
            )
    if len({r.digest for r in (*colds, *warms)}) > 1:
        print(
            f"    warning: the plans of identical runs differ ({len({r.digest for r in (*colds, *warms)})} versions)"
        )
    return row


def _print_row(row: Row) -> None:
    def mark(ratio: float, target: float) -> str:
        return "ok" if ratio <= target else "OVER"

    rc, rw = row.cold / row.floor, row.warm / row.floor
    print(
        f"{row.label:>14} {row.branches:>8} {row.floor:>8.2f} {row.cold:>8.2f} {rc:>6.2f}x {mark(rc, 3):>4}"
        f" {row.warm:>8.2f} {rw:>6.2f}x {mark(rw, 1.5):>4} {row.units:>6} {row.findings:>8}"
        f"   {row.cold_collection:>6.2f} {row.cold_collection / row.floor:>5.2f}x"
        f" {row.warm_collection:>6.2f} {row.warm_collection / row.floor:>5.2f}x",
        flush=True,
    )


def _header() -> None:
    print(
        f"{'range':>14} {'branches':>8} {'floor s':>8} {'cold s':>8} {'ratio':>7} {'':>4} {'warm s':>8} {'ratio':>7} {'':>4} {'units':>6} {'findings':>8}"
        "   collection (collect + parse): cold, ratio, warm, ratio"
    )


def _load() -> str:
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path, help="a real repository (instead of generated ones)")
    parser.add_argument("--since", help="with --repo: where the range starts")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="generated sizes (default 50,100,200,400,800)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="best of N for every figure (default 1)"
    )
    parser.add_argument("--workers", type=int, help="IDEALIZE_WORKERS for the idealize runs")
    parser.add_argument(
        "--stages", action="store_true", help="print the stage times idealize reports"
    )
    parser.add_argument(
        "--keep", type=Path, help="generate into DIR and keep it (reused when it exists)"
    )
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {_load()} at the start")
    if args.repo is not None:
        if not args.since:
            parser.error("--repo needs --since REF")
        _header()
        _print_row(
            measure(
                args.repo, args.since, args.repo.name[:14], args.repeat, args.workers, args.stages
            )
        )
        print(_load() + " at the end")
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="idealize-history-") as tmp:
        repo = args.keep or Path(tmp) / "history"
        if not (repo / ".git").exists():
            t0 = time.perf_counter()
            generate(repo, max(sizes), args.seed)
            files = len(
                subprocess.run(
                    ["git", "ls-files"], cwd=repo, capture_output=True, text=True, env=_env()
                ).stdout.splitlines()
            )
            print(
                f"generated {max(sizes)} landed branches ({files} files at HEAD) in {time.perf_counter() - t0:.1f}s"
            )
        _header()
        rows: dict[int, Row] = {}
        for size in sizes:
            ref = f"bench-{size}" if size != max(sizes) else f"bench-{max(sizes)}"
            rows[size] = measure(
                repo, ref, f"{size} generated", args.repeat, args.workers, args.stages
            )
            _print_row(rows[size])
    doubling = [s for s in sizes if s >= 100]
    if len(doubling) >= 2:
        lo, hi = doubling[0], doubling[-1]
        steps = math.log2(hi / lo)
        for name in ("cold", "warm", "floor"):
            a, b = getattr(rows[lo], name), getattr(rows[hi], name)
            growth = (b / a) ** (1 / steps)
            per_step = " ".join(
                f"{getattr(rows[y], name) / getattr(rows[x], name):.2f}x"
                for x, y in itertools.pairwise(doubling)
            )
            verdict = (
                "" if name == "floor" else ("  ok" if growth <= 2.3 else "  OVER (target <= 2.3x)")
            )
            print(
                f"growth per doubling {lo}->{hi} {name:>5}: {growth:.2f}x  (steps: {per_step}){verdict}"
            )
    print(_load() + " at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
