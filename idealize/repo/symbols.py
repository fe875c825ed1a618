"""Definitions (functions, classes, methods...) in a file, via tree-sitter, cached by blob id.

Python is first-class; JavaScript, TypeScript, Go, Rust, Java and Dart give their
definitions. Names are qualified within their file: ``Class.method``.

One module on purpose: the tree-sitter walkers per language, the incremental parse and the
parsing worker pool share the trees they keep.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, NamedTuple

from idealize.cache import Cache
from idealize.repo.languages import parser_for
from idealize.repo.throwaway import worker_signals
from idealize.types import Symbol

PARSER_VERSION = "symbols-6"


@dataclass(frozen=True)
class _Spec:
    # node type -> symbol kind
    definitions: dict[str, str]
    # node types whose named children are searched for definitions (without nesting the name)
    passthrough: frozenset[str]
    # field or child types holding the body to search for nested definitions
    bodies: frozenset[str]


_SPECS: dict[str, _Spec] = {
    "python": _Spec(
        definitions={"function_definition": "function", "class_definition": "class"},
        passthrough=frozenset({"module", "decorated_definition"}),
        bodies=frozenset({"block"}),
    ),
    "javascript": _Spec(
        definitions={
            "function_declaration": "function",
            "generator_function_declaration": "function",
            "class_declaration": "class",
            "method_definition": "method",
        },
        passthrough=frozenset(
            {"program", "export_statement", "lexical_declaration", "variable_declaration"}
        ),
        bodies=frozenset({"class_body"}),
    ),
    "go": _Spec(
        definitions={
            "function_declaration": "function",
            "method_declaration": "method",
            "type_spec": "type",
            "type_alias": "type",  # `type Option = func(*options)`
        },
        passthrough=frozenset({"source_file", "type_declaration"}),
        bodies=frozenset(),
    ),
    "rust": _Spec(
        definitions={
            "function_item": "function",
            "function_signature_item": "function",
            "struct_item": "struct",
            "enum_item": "enum",
            "trait_item": "trait",
            "impl_item": "impl",
            "mod_item": "module",
            "type_item": "type",
        },
        passthrough=frozenset({"source_file"}),
        bodies=frozenset({"declaration_list"}),
    ),
    "java": _Spec(
        definitions={
            "class_declaration": "class",
            "interface_declaration": "interface",
            "enum_declaration": "enum",
            "record_declaration": "class",
            "method_declaration": "method",
            "constructor_declaration": "method",
        },
        passthrough=frozenset({"program", "enum_body_declarations"}),
        bodies=frozenset({"class_body", "interface_body", "enum_body"}),
    ),
    "dart": _Spec(
        definitions={
            "class_definition": "class",
            "enum_declaration": "enum",
            "mixin_declaration": "class",
            "extension_declaration": "class",
        },
        passthrough=frozenset({"program"}),
        bodies=frozenset({"class_body", "extension_body", "enum_body"}),
    ),
}
_TS = _Spec(
    definitions={
        **_SPECS["javascript"].definitions,
        "abstract_class_declaration": "class",
        "interface_declaration": "interface",
        "type_alias_declaration": "type",
        "enum_declaration": "enum",
        "function_signature": "function",
    },
    passthrough=_SPECS["javascript"].passthrough,
    bodies=_SPECS["javascript"].bodies,
)
_SPECS["typescript"] = _TS
_SPECS["tsx"] = _TS

_CONSTANT_VALUES = frozenset(
    {
        "object",
        "array",
        "call_expression",
        "new_expression",
        "as_expression",
        "satisfies_expression",
    }
)
_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "class", "generator_function"}
)
_PATTERNS = frozenset({"object_pattern", "array_pattern"})  # destructuring: no one name


@dataclass(frozen=True, slots=True)
class _Found:
    name: str
    kind: str
    node: Any  # first node of the definition (decorators included)
    end_node: Any  # last node (Dart puts the body in a sibling)
    children: tuple[tuple[int, int], ...]  # byte ranges of nested definitions
    sig_start: int = -1  # where the signature starts (after decorators)


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _name_of(node: Any, language: str) -> str | None:
    name = node.child_by_field_name("name")
    if name is not None:
        return _text(name)
    if node.type == "impl_item":
        t = node.child_by_field_name("type")
        trait = node.child_by_field_name("trait")
        base = _text(t) if t is not None else None
        if base and trait is not None:
            return f"{base}"
        return base
    for child in node.named_children:
        if child.type in ("identifier", "type_identifier", "property_identifier"):
            return _text(child)
    return None


def _receiver_type(node: Any) -> str | None:
    receiver = node.child_by_field_name("receiver")
    if receiver is None:
        return None
    for ident in _walk(receiver):
        if ident.type == "type_identifier":
            return _text(ident)
    return None


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def _dart_members(children: list[Any]) -> Iterator[tuple[str, str, Any, Any]]:
    """Dart splits a function into a signature node and a following body node."""
    i = 0
    while i < len(children):
        node = children[i]
        sig = None
        kind = "function"
        if node.type == "function_signature":
            sig = node
        elif node.type == "method_signature":
            kind = "method"
            inner = [c for c in node.named_children if c.type.endswith("signature")]
            sig = inner[0] if inner else node
        elif node.type == "declaration":
            inner = [c for c in node.named_children if c.type.endswith("signature")]
            if inner:
                kind = "method"
                sig = inner[0]
        if sig is not None:
            name = sig.child_by_field_name("name")
            if name is None:
                idents = [c for c in sig.named_children if c.type == "identifier"]
                name = idents[0] if idents else None
            end = node
            if i + 1 < len(children) and children[i + 1].type == "function_body":
                end = children[i + 1]
                i += 1
            if name is not None:
                yield _text(name), kind, node, end
        i += 1


# Definitions nested deeper than this (generated code, hostile input) are not looked for:
# they stay part of the text of the one they sit in, and the walk cannot overflow the stack.
MAX_NESTING = 32


def _find(root: Any, language: str) -> list[tuple[str, _Found]]:
    spec = _SPECS[language]
    found: list[tuple[str, _Found]] = []

    def visit(
        container: Any, prefix: str, in_class: bool, start_override: Any = None
    ) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        children = list(container.named_children)
        if language == "dart":
            for name, kind, first, last in _dart_members(children):
                qual = f"{prefix}{name}"
                found.append((qual, _Found(qual, "method" if in_class else kind, first, last, ())))
                ranges.append((first.start_byte, last.end_byte))
        for child in children:
            ctype = child.type
            if ctype in spec.passthrough:
                if ctype == "decorated_definition":
                    inner = child.child_by_field_name("definition")
                    if inner is not None:
                        ranges.extend(handle(inner, prefix, in_class, child))
                else:
                    ranges.extend(visit(child, prefix, in_class))
                continue
            if ctype == "variable_declarator":
                value = child.child_by_field_name("value")
                name_node = child.child_by_field_name("name")
                if name_node is not None and name_node.type in _PATTERNS:
                    continue  # `const { a, b } = require(...)` binds names, it defines none
                if value is not None and name_node is not None and value.type in _FUNCTION_VALUES:
                    qual = f"{prefix}{_text(name_node)}"
                    outer = (
                        container
                        if container.type in ("lexical_declaration", "variable_declaration")
                        else child
                    )
                    kind = (
                        "class" if value.type == "class" else ("method" if in_class else "function")
                    )
                    found.append((qual, _Found(qual, kind, outer, outer, ())))
                    ranges.append((outer.start_byte, outer.end_byte))
                elif (
                    value is not None
                    and name_node is not None
                    and not prefix
                    and not in_class
                    and value.type in _CONSTANT_VALUES
                    and container.type == "lexical_declaration"
                    and container.children
                    and container.children[0].type == "const"
                ):
                    # a module's constant built from data or a call: a status map, a zod
                    # schema, an axios instance - things two branches can each define
                    qual = _text(name_node)
                    found.append((qual, _Found(qual, "constant", container, container, ())))
                    ranges.append((container.start_byte, container.end_byte))
                continue
            if ctype in ("public_field_definition", "field_definition"):
                value = child.child_by_field_name("value")
                name_node = child.child_by_field_name("name") or child.child_by_field_name(
                    "property"
                )
                if value is not None and name_node is not None and value.type in _FUNCTION_VALUES:
                    qual = f"{prefix}{_text(name_node)}"
                    found.append((qual, _Found(qual, "method", child, child, ())))
                    ranges.append((child.start_byte, child.end_byte))
                continue
            if ctype in spec.definitions:
                ranges.extend(handle(child, prefix, in_class, None))
        return ranges

    def handle(node: Any, prefix: str, in_class: bool, outer: Any) -> list[tuple[int, int]]:
        kind = spec.definitions.get(node.type, None)
        if kind is None:
            return []
        name = _name_of(node, language)
        if name is None:
            return []
        if node.type == "method_declaration" and language == "go":
            receiver = _receiver_type(node)
            if receiver:
                name = f"{receiver}.{name}"
        if node.type == "type_spec":
            tnode = node.child_by_field_name("type")
            if tnode is not None and tnode.type == "struct_type":
                kind = "struct"
            elif tnode is not None and tnode.type == "interface_type":
                kind = "interface"
        if kind == "function" and in_class:
            kind = "method"
        qual = f"{prefix}{name}"
        first = outer if outer is not None else node
        children: list[tuple[int, int]] = []
        is_container = kind in ("class", "struct", "enum", "interface", "trait", "impl", "module")
        # nested deeper than MAX_NESTING: left as part of the outer definition's text
        if is_container and qual.count(".") < MAX_NESTING:
            body = node.child_by_field_name("body")
            bodies = (
                [body]
                if body is not None
                else [c for c in node.named_children if c.type in spec.bodies]
            )
            for b in bodies:
                if b is not None:
                    children.extend(visit(b, f"{qual}.", True))
        if kind == "impl":
            # an impl block is a container, not a definition of its own
            return children
        found.append((qual, _Found(qual, kind, first, first, tuple(children), node.start_byte)))
        return [(first.start_byte, first.end_byte)]

    visit(root, "", False)
    return found


def _own_hash(
    source: bytes, start: int, end: int, children: Iterable[tuple[int, int]], name: str
) -> str:
    parts: list[bytes] = []
    pos = start
    for c_start, c_end in sorted(children):
        if c_start < pos:
            continue
        parts.append(source[pos:c_start])
        parts.append(b"<child>")
        pos = c_end
    parts.append(source[pos:end])
    own = b"".join(parts)
    short = name.rsplit(".", 1)[-1].encode()
    if short:
        own = own.replace(short, b"<name>")  # a rename alone keeps the hash
    return hashlib.blake2b(b" ".join(own.split()), digest_size=8).hexdigest()


def parse_symbols(source: bytes, language: str) -> tuple[Symbol, ...]:
    """Every definition in ``source``, outermost first, qualified within the file."""
    parser = parser_for(language)
    if parser is None or language not in _SPECS:
        return ()
    return _symbols(parser.parse(source), source, language)


# the suffix `_symbols` gives a redefinition (`handler#2`), and only that: a JavaScript
# private name (`SpeechStream.#connectWS`) begins with `#` and keeps it
_REDEFINITION = re.compile(r"#\d+$")


def unsuffixed(name: str) -> str:
    """A symbol's name without the suffix that tells a redefinition of it apart."""
    return _REDEFINITION.sub("", name)


def _symbols(tree: Any, source: bytes, language: str) -> tuple[Symbol, ...]:
    seen: dict[str, int] = {}
    symbols: list[Symbol] = []
    for qual, f in _find(tree.root_node, language):
        # overloads and redefinitions: keep them apart, the later one gets a suffix
        count = seen.get(qual, 0)
        seen[qual] = count + 1
        name = qual if count == 0 else f"{qual}#{count + 1}"
        start_byte, end_byte = f.node.start_byte, f.end_node.end_byte
        sig_from = f.sig_start if f.sig_start >= 0 else start_byte
        line_end = source.find(b"\n", sig_from, end_byte)
        first_line = source[sig_from : end_byte if line_end < 0 else line_end]
        symbols.append(
            Symbol(
                name=name,
                kind=f.kind,
                start_line=f.node.start_point[0] + 1,
                end_line=f.end_node.end_point[0] + 1,
                body_hash=_own_hash(source, start_byte, end_byte, f.children, qual),
                signature=first_line.decode("utf-8", "replace").strip()[:200],
            )
        )
    symbols.sort(key=lambda s: (s.start_line, -s.end_line))
    return tuple(symbols)


Edit = tuple[int, int, int, int]  # a hunk: old start, old lines, new start, new lines


def parse_pair(
    old: bytes, new: bytes, language: str, hunks: Sequence[Edit]
) -> tuple[tuple[Symbol, ...], tuple[Symbol, ...]]:
    """Symbols of a file before and after a change. The new version is parsed incrementally
    from the old one's tree -- tree-sitter reuses what the change left alone, a fraction of
    the cost of a second parse -- when the hunks (``git diff -U0``) account for every
    difference; otherwise, from scratch. Either way the symbols are the same."""
    parser = parser_for(language)
    if parser is None or language not in _SPECS:
        return (), ()
    tree = parser.parse(old)
    return _symbols(tree, old, language), _symbols(
        _reparse(parser, tree, old, new, hunks), new, language
    )


def _reparse(
    parser: Any, base: Any, base_source: bytes, source: bytes, hunks: Sequence[Edit]
) -> Any:
    """The tree of ``source``, from the tree of an earlier version when the hunks between
    them account for every difference (else from scratch). ``base`` is left as it was."""
    edits = _edits(base_source, source, hunks)
    if edits is None:
        return parser.parse(source)
    tree = base.copy()
    for start, old_end, new_end, start_row, old_end_row, new_end_row in edits:
        tree.edit(
            start_byte=start,
            old_end_byte=old_end,
            new_end_byte=new_end,
            start_point=(start_row, 0),
            old_end_point=(old_end_row, 0),
            new_end_point=(new_end_row, 0),
        )
    return parser.parse(source, tree)


class _LineStarts:
    """Where each line of a text begins, by line number (1-based), past the end for lines
    beyond it. The lengths of the lines are summed in C (``split`` and ``accumulate``):
    a Python loop over every line of every version of every changed file took 6 of 28 s of
    parsing on pydantic/pydantic-ai."""

    def __init__(self, source: bytes) -> None:
        self._size = len(source)
        # line i (0-based, i >= 1) begins after the i line breaks and lines before it
        self._ends = list(accumulate(map(len, source.split(b"\n"))))

    def __call__(self, line: int) -> int:
        i = line - 1
        if i >= len(self._ends):
            return self._size
        return 0 if i <= 0 else self._ends[i - 1] + i


def _edits(
    old: bytes, new: bytes, hunks: Sequence[Edit]
) -> list[tuple[int, int, int, int, int, int]] | None:
    """tree-sitter edits (bytes and rows, in the coordinates of the text as edited so far)
    for whole-line hunks, or None unless every line outside them is the same in both."""
    old_at, new_at = _LineStarts(old), _LineStarts(new)

    edits = []
    old_pos = new_pos = 0
    for old_start, old_lines, new_start, new_lines in hunks:
        # with no lines on one side, git names the line the change comes after
        o_line = old_start + 1 if old_lines == 0 else old_start
        n_line = new_start + 1 if new_lines == 0 else new_start
        o_from = old_at(o_line)
        o_to = old_at(o_line + old_lines)
        n_from = new_at(n_line)
        n_to = new_at(n_line + new_lines)
        if o_from < old_pos or n_from < new_pos or old[old_pos:o_from] != new[new_pos:n_from]:
            return None
        edits.append(
            (
                n_from,
                n_from + o_to - o_from,
                n_to,
                n_line - 1,
                n_line - 1 + old_lines,
                n_line - 1 + new_lines,
            )
        )
        old_pos, new_pos = o_to, n_to
    if old[old_pos:] != new[new_pos:]:
        return None
    return edits


PARALLEL_MIN = 64  # files; below this a process pool costs more than it saves
CHUNK_FILES = 16  # files sent to a worker at a time...
CHUNK_BYTES = 256_000  # ...or this much source, whichever comes first


def default_workers() -> int:
    """Processes (and git reads) to run at once when the configuration does not say."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


class Job(NamedTuple):
    """One file to parse, with (optionally) an earlier version it can be parsed from."""

    language: str
    blob: str
    source: bytes
    base: str | None = None  # an earlier version of the file...
    base_source: bytes | None = None  # ...given when it is to be parsed too
    hunks: Sequence[Edit] = ()  # from the earlier version to this one


# Source bytes whose syntax trees the parsing processes keep, shared out among them (a
# tree takes several times its source in memory). On a 450-branch Go history, keeping
# 16 MB in all instead of none cut the CPU time of parsing by about a third.
TREE_BYTES = 16_000_000


class _Trees:
    """Syntax trees of the files this process parsed last, with their sources: the next
    version of a file is parsed incrementally from the one before."""

    def __init__(self, max_bytes: int = TREE_BYTES) -> None:
        self._trees: OrderedDict[tuple[str, str], tuple[Any, bytes]] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes

    def get(self, key: tuple[str, str]) -> tuple[Any, bytes] | None:
        found = self._trees.get(key)
        if found is not None:
            self._trees.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], tree: Any, source: bytes) -> None:
        if key in self._trees:
            return
        self._trees[key] = (tree, source)
        self._bytes += len(source)
        while self._trees and self._bytes > self._max_bytes:
            _, (_, old) = self._trees.popitem(last=False)
            self._bytes -= len(old)

    def reset(self, max_bytes: int) -> None:
        self._trees.clear()
        self._bytes, self._max_bytes = 0, max_bytes


_TREES = _Trees()  # one per process: each parsing worker keeps its own


def _worker_start(tree_bytes: int) -> None:
    """In a freshly forked worker: the parent's signal handlers reset, and the tree cache
    empty with the worker's share of the budget."""
    worker_signals()
    _TREES.reset(tree_bytes)


def _parse_job(job: Job) -> list[tuple[tuple[Symbol, ...], str]]:
    """Symbols of the job's file (after those of its earlier version, when that was to be
    parsed too), with their cache encoding. The file is parsed incrementally from the
    earlier version's tree when this process has it and the hunks account for every
    difference; the symbols are the same either way."""
    parser = parser_for(job.language)
    if parser is None or job.language not in _SPECS:
        return [((), _encode(()))] * (2 if job.base_source is not None else 1)
    results: list[tuple[Symbol, ...]] = []
    base: tuple[Any, bytes] | None = None
    if job.base is not None and job.base_source is not None:
        base = (parser.parse(job.base_source), job.base_source)
        results.append(_symbols(base[0], job.base_source, job.language))
        _TREES.put((job.base, job.language), *base)
    elif job.base is not None:
        base = _TREES.get((job.base, job.language))
    if base is not None:
        tree = _reparse(parser, base[0], base[1], job.source, job.hunks)
    else:
        tree = parser.parse(job.source)
    _TREES.put((job.blob, job.language), tree, job.source)
    results.append(_symbols(tree, job.source, job.language))
    return [(symbols, _encode(symbols)) for symbols in results]


def _parse_chunk(jobs: list[Job]) -> list[list[tuple[tuple[Symbol, ...], str]]]:
    """In a worker: a chunk of jobs, in order."""
    return [_parse_job(job) for job in jobs]


def _encode(symbols: tuple[Symbol, ...]) -> str:
    return json.dumps(
        [[s.name, s.kind, s.start_line, s.end_line, s.body_hash, s.signature] for s in symbols]
    )


def _decode(text: str) -> tuple[Symbol, ...]:
    return tuple(Symbol(*row) for row in json.loads(text))


class SymbolIndex:
    """Parses blobs once: results are cached by (blob id, language, parser version).

    ``workers``: processes that parse at once (1: parse in this process).
    """

    def __init__(self, cache: Cache, workers: int | None = None) -> None:
        self._cache = cache
        self._memo: dict[tuple[str, str], tuple[Symbol, ...]] = {}
        self._unsaved: list[tuple[str, str]] = []
        self.parsed = 0
        self.workers = workers if workers is not None and workers >= 1 else default_workers()

    def _key(self, blob: str, language: str) -> str:
        return f"{blob}:{language}"

    def known(self, pair: tuple[str, str]) -> bool:
        """Whether the symbols of (blob, language) are in memory."""
        return pair in self._memo

    def cached(self, wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of (blob, language) pairs, those already known; loads them into memory."""
        unique = list(dict.fromkeys(wanted))
        pairs = [p for p in unique if p not in self._memo]
        if pairs:
            found = self._cache.get_many(PARSER_VERSION, (self._key(b, lang) for b, lang in pairs))
            for b, lang in pairs:
                text = found.get(self._key(b, lang))
                if text is not None:
                    self._memo[(b, lang)] = _decode(text)
        return {p for p in unique if p in self._memo}

    @property
    def store(self) -> Cache:
        """The cache behind the index, for other content-keyed results of collection."""
        return self._cache

    def flush(self) -> None:
        """Write what was parsed since the last flush to the cache, in one transaction."""
        if self._unsaved:
            self._cache.put_many(PARSER_VERSION, self._unsaved)
            self._unsaved = []

    def _learn(self, key: tuple[str, str], symbols: tuple[Symbol, ...], encoded: str) -> None:
        self.parsed += 1
        self._memo[key] = symbols
        self._unsaved.append((self._key(*key), encoded))

    @contextmanager
    def pool(self, expected: int | None = None) -> Iterator[ParsePool]:
        """A pool that parses in the background while the caller goes on (reading git).
        ``expected``: how many files will come, when known; few files are parsed here,
        since a pool costs more than it saves for them."""
        workers = self.workers
        if expected is not None and expected < PARALLEL_MIN:
            workers = 1
        pool = ParsePool(self, workers)
        try:
            yield pool
        finally:
            pool.close()

    def parse_many(self, jobs: Sequence[tuple[str, str, bytes]]) -> None:
        """Parse many (blob, language, source) at once, on every core when it pays off."""
        todo = [(b, lang, src) for b, lang, src in jobs if (b, lang) not in self._memo]
        with self.pool(expected=len(todo)) as pool:
            pool.submit(todo)
            pool.wait()
        self.flush()

    def get(self, blob: str, language: str, source: bytes | None) -> tuple[Symbol, ...]:
        key = (blob, language)
        if key in self._memo:
            return self._memo[key]
        text = self._cache.get(PARSER_VERSION, self._key(blob, language))
        if text is not None:
            symbols = _decode(text)
        else:
            if source is None:
                return ()
            symbols = parse_symbols(source, language)
            self.parsed += 1
            self._unsaved.append((self._key(blob, language), _encode(symbols)))
            if len(self._unsaved) >= 500:
                self.flush()
        self._memo[key] = symbols
        return symbols


class ParsePool:
    """Parses files in worker processes while the caller does other work; ``wait`` gathers
    the results into the index in the order the files were submitted, so what the index
    holds never depends on which worker finished first.

    tree-sitter holds the GIL while it parses, so threads would not help; fork-based
    worker processes do. Each file path always goes to the same worker, which keeps the
    trees it parsed last: the next version of a file is parsed incrementally from them.
    The workers are forked when the pool is made, before the caller starts threads of
    its own. With one worker (or no fork), files are parsed here, on submit.
    """

    def __init__(self, index: SymbolIndex, workers: int) -> None:
        self._index = index
        self._scheduled: set[tuple[str, str]] = set()
        self._pools: list[Pool] = []
        if workers >= 2 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            share = TREE_BYTES // workers
            self._pools = [
                context.Pool(1, initializer=_worker_start, initargs=(share,))
                for _ in range(workers)
            ]
        self._batches: list[list[tuple[tuple[tuple[str, str], ...], Job]]] = [
            [] for _ in self._pools
        ]
        self._sizes = [0 for _ in self._pools]
        self._waiting: list[tuple[list[tuple[tuple[str, str], ...]], AsyncResult[Any]]] = []

    @property
    def parallel(self) -> bool:
        return bool(self._pools)

    def _new(self, key: tuple[str, str]) -> bool:
        return key not in self._scheduled and not self._index.known(key)

    def submit(self, jobs: Iterable[tuple[str, str, bytes]]) -> None:
        """Queue (blob, language, source) for parsing; known or queued files are skipped."""
        for blob, language, source in jobs:
            if self._new((blob, language)):
                self._queue(blob, Job(language, blob, source))

    def submit_change(
        self,
        path: str,
        language: str,
        old: tuple[str, bytes | None] | None,
        new: tuple[str, bytes],
        hunks: Sequence[Edit],
    ) -> None:
        """Queue the new side of a change to ``path`` -- (blob, source) -- and the old side
        when its source is given and it is not known yet. The new side is parsed
        incrementally from the old one when the worker has (or makes) the old one's tree."""
        new_key = (new[0], language)
        if old is not None and old[1] is not None and self._new((old[0], language)):
            if not self._new(new_key) or old[0] == new[0]:
                self.submit([(old[0], language, old[1])])
            else:
                job = Job(language, new[0], new[1], old[0], old[1], hunks)
                self._queue(path, job)
                return
        if self._new(new_key):
            base = old[0] if old is not None else None
            self._queue(path, Job(language, new[0], new[1], base, None, hunks if base else ()))

    def _queue(self, route: str, job: Job) -> None:
        keys: tuple[tuple[str, str], ...] = ((job.blob, job.language),)
        if job.base is not None and job.base_source is not None:
            keys = ((job.base, job.language), *keys)
        self._scheduled.update(keys)
        if not self._pools:
            self._learn(keys, _parse_job(job))
            return
        n = zlib.crc32(route.encode("utf-8", "surrogateescape")) % len(self._pools)
        self._batches[n].append((keys, job))
        self._sizes[n] += len(job.source) + len(job.base_source or b"")
        if len(self._batches[n]) >= CHUNK_FILES or self._sizes[n] >= CHUNK_BYTES:
            self._send(n)

    def _learn(
        self, keys: tuple[tuple[str, str], ...], results: list[tuple[tuple[Symbol, ...], str]]
    ) -> None:
        for key, (symbols, encoded) in zip(keys, results, strict=True):
            self._index._learn(key, symbols, encoded)

    def _send(self, n: int) -> None:
        batch = self._batches[n]
        if not batch:
            return
        keys = [k for k, _ in batch]
        work = [job for _, job in batch]
        self._waiting.append((keys, self._pools[n].apply_async(_parse_chunk, (work,))))
        self._batches[n], self._sizes[n] = [], 0

    def wait(self) -> None:
        """Every submitted file parsed and in the index."""
        for n in range(len(self._pools)):
            self._send(n)
        for keys, result in self._waiting:
            for job_keys, results in zip(keys, result.get(), strict=True):
                self._learn(job_keys, results)
        self._waiting = []

    def close(self) -> None:
        early = bool(self._waiting) or any(self._batches)  # left on an error: drop the work
        for pool in self._pools:
            if early:
                pool.terminate()
            else:
                pool.close()
            pool.join()
        self._pools = []
