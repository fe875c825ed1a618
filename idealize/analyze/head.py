"""A tree as it is at one commit, read lazily: the ground truth every finding is checked
against before it is reported.

Post-merge the tree is the merged HEAD; before merging, a branch's head. Everything is
read on demand and kept: the file list (one ``ls-tree``), file contents (one
``cat-file --batch`` process), definitions (tree-sitter, cached by blob id), which words
are code (tree-sitter) and where names are mentioned (batched ``git grep``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from idealize.repo.git import BlobReader, Git
from idealize.repo.languages import EXTENSIONS, family, language_of
from idealize.repo.symbols import SymbolIndex
from idealize.repo.syntax import CodeMap, code_map
from idealize.types import Symbol

MAX_FILE_BYTES = 1_000_000
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

Mention = tuple[str, int, str]  # path, line, text
T = TypeVar("T")
SOURCE_GLOBS = tuple(f"*{ext}" for ext in EXTENSIONS)


def spaced(line: str) -> str:
    """``line`` with its whitespace runs made one space and its ends trimmed."""
    return " ".join(line.split())


class TreeView:
    """One commit's tree, read lazily and remembered: its files, definitions, and where
    names are mentioned. ``code_maps`` (where the code is in a file, apart from comments and
    strings, by blob and language) may be shared between the views of one run: most files
    are the same blob at a branch's base, its head and the target. Views made with
    ``sibling`` share those and one ``git cat-file`` process, which the first view owns."""

    def __init__(
        self,
        git: Git,
        commit: str,
        symbols: SymbolIndex,
        code_maps: dict[tuple[str, str], CodeMap | None] | None = None,
        reader: BlobReader | None = None,
    ) -> None:
        self.git = git
        self.commit = commit
        self.symbols = symbols
        self.code_maps = {} if code_maps is None else code_maps
        self._paths: dict[str, str] | None = None
        self._owns_reader = reader is None
        self._reader = BlobReader(git) if reader is None else reader  # starts on first read
        self._sources: dict[str, bytes | None] = {}
        self._defs: dict[str, tuple[Symbol, ...]] = {}
        self._texts: dict[str, str | None] = {}
        self._remembered: dict[Hashable, Any] = {}
        self._mentions: dict[str, list[Mention]] = {}
        self._lines: dict[str, tuple[str, ...] | None] = {}
        self._spaced: dict[str, frozenset[str]] = {}
        self._numbers: dict[str, dict[str, list[int]]] = {}

    def sibling(self, commit: str) -> TreeView:
        """A view of another commit of the same run: it shares this view's parsed files,
        code maps and git reader (closed with this view, not with the sibling)."""
        return TreeView(self.git, commit, self.symbols, self.code_maps, self._reader)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What ``compute`` works out from this tree alone, once per ``key`` for the view's
        life: a detector asks the same question of one tree for every use it checks (on
        coder/mux, whether any type still declares a removed field was asked once per use,
        thousands of times over the same few names)."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._owns_reader:
            self._reader.close()

    # -- files ----------------------------------------------------------------------

    @property
    def paths(self) -> dict[str, str]:
        """path -> blob id of every file in the tree."""
        if self._paths is None:
            self._paths = {
                path: blob
                for mode, blob, path in self.git.ls_tree(self.commit)
                if mode not in ("160000", "120000")
            }
        return self._paths

    def exists(self, path: str) -> bool:
        return path in self.paths

    def source(self, path: str) -> bytes | None:
        if path not in self._sources:
            blob = self.paths.get(path)
            data: bytes | None = None
            if blob is not None:
                data = self._reader.read(blob)
                if data is not None and len(data) > MAX_FILE_BYTES:
                    data = None
            self._sources[path] = data
        return self._sources[path]

    def text(self, path: str) -> str | None:
        """The file decoded, once: the same string each time, so what is cached by text
        (a file's imports) hashes it once."""
        if path not in self._texts:
            data = self.source(path)
            self._texts[path] = None if data is None else data.decode("utf-8", "replace")
        return self._texts[path]

    def lines(self, path: str) -> tuple[str, ...] | None:
        """The file's lines, split once: detectors ask for lines of one file thousands of
        times (on pydantic-ai, 71,000 checks over a few hundred files)."""
        if path not in self._lines:
            text = self.text(path)
            self._lines[path] = None if text is None else tuple(text.splitlines())
        return self._lines[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        if lines is None:
            return None
        return lines[number - 1] if 1 <= number <= len(lines) else None

    def spaced_lines(self, path: str) -> frozenset[str]:
        """The file's lines with their whitespace runs made one space (empty when the
        file is not there), to ask whether a change's lines are still in it."""
        if path not in self._spaced:
            self._spaced[path] = frozenset(spaced(x) for x in self.lines(path) or ())
        return self._spaced[path]

    def nearest_line(self, path: str, text: str, near: int) -> int | None:
        """The line of ``path`` that reads ``text`` (both stripped) nearest to line ``near``
        (other work may have moved it), or None: a use found again where it lives now. The
        lines are indexed by their text once per file."""
        if path not in self._numbers:
            index: dict[str, list[int]] = {}
            for n, line in enumerate(self.lines(path) or (), start=1):
                index.setdefault(line.strip(), []).append(n)
            self._numbers[path] = index
        hits = self._numbers[path].get(text.strip(), [])
        return min(hits, key=lambda n: abs(n - near)) if hits else None

    # -- definitions ----------------------------------------------------------------------

    def definitions(self, path: str) -> tuple[Symbol, ...]:
        """What the file defines at this commit (empty for files that are not code)."""
        if path not in self._defs:
            language = language_of(path)
            blob = self.paths.get(path)
            found: tuple[Symbol, ...] = ()
            if language is not None and blob is not None:
                source = self.source(path)
                if source is not None:
                    found = self.symbols.get(blob, language, source)
            self._defs[path] = found
        return self._defs[path]

    def defines(self, path: str, name: str) -> Symbol | None:
        """The definition of ``name`` (qualified, or a short name) in ``path``, if any."""
        for s in self.definitions(path):
            if s.name == name or s.name.rsplit(".", 1)[-1] == name:
                return s
        return None

    def body(self, path: str, symbol: Symbol) -> str:
        """The text of one of ``path``'s definitions at this commit, its lines joined."""
        lines = self.lines(path) or ()
        return "\n".join(lines[symbol.start_line - 1 : symbol.end_line])

    def body_of(self, path: str, qualified: str) -> str:
        """The text of the definition named ``qualified`` in ``path``, or "" if none is."""
        found = next((s for s in self.definitions(path) if s.name == qualified), None)
        return self.body(path, found) if found is not None else ""

    def has_symbol(self, path: str, qualified: str) -> bool:
        return any(s.name == qualified for s in self.definitions(path))

    # -- words ------------------------------------------------------------------------------

    def is_code(self, path: str, line: int, word: str) -> bool:
        """Is ``word`` on ``line`` of ``path`` code (not a comment, docstring or string)?
        Files that are not source code (docs, data) hold no code."""
        found = self._code_map(path)
        return found.is_code(line, word) if found is not None else False

    def names_parameter(self, path: str, line: int, word: str) -> bool:
        """Is ``word`` on ``line`` of ``path`` only the name of a parameter declared there?"""
        found = self._code_map(path)
        return found.names_parameter(line, word) if found is not None else False

    def _code_map(self, path: str) -> CodeMap | None:
        language = language_of(path)
        blob = self.paths.get(path)
        if language is None or blob is None:
            return None
        key = (blob, language)
        if key not in self.code_maps:
            source = self.source(path)
            self.code_maps[key] = None if source is None else code_map(source, language)
        return self.code_maps[key]

    def mentions(self, names: Iterable[str]) -> dict[str, list[Mention]]:
        """Every line of the tree that mentions each name as a word, in a few git calls."""
        wanted = sorted({n for n in names if n not in self._mentions and _WORD.fullmatch(n)})
        for n in wanted:
            self._mentions[n] = []
        for i in range(0, len(wanted), 400):
            chunk = wanted[i : i + 400]
            # only source files: docs, data and recorded fixtures mention names, never use them
            # (and one 3 MB line of test data made every search slow)
            out = self.git.grep_words(self.commit, chunk, SOURCE_GLOBS)
            here = set(chunk)
            prefix = f"{self.commit}:"
            for row in out.splitlines():
                row = row.removeprefix(prefix)
                path, _, rest = row.partition(":")
                lineno, _, text = rest.partition(":")
                if not lineno.isdigit():
                    continue
                for word in set(_WORD.findall(text)) & here:
                    self._mentions[word].append((path, int(lineno), text))
        return {n: self._mentions.get(n, []) for n in names}

    def prefetch(self, names: Iterable[str]) -> None:
        """Read where many names are mentioned at once (one ``git grep`` per 400 names)
        before asking about them one by one."""
        self.mentions(names)

    def defined_anywhere(self, name: str, language: str | None) -> list[tuple[str, Symbol]]:
        """Definitions of the short ``name`` anywhere in the tree, in files of the same
        language family, found through the files that mention it."""
        wanted = family(language) if language else None
        return self.remember(
            ("defined anywhere", name, wanted), lambda: self._defining(name, wanted)
        )

    def _defining(self, name: str, wanted: str | None) -> list[tuple[str, Symbol]]:
        found: list[tuple[str, Symbol]] = []
        for p in sorted({p for p, _, _ in self.mentions([name])[name]}):
            lang = language_of(p)
            if lang is None or (wanted is not None and family(lang) != wanted):
                continue
            for s in self.definitions(p):
                if s.name.rsplit(".", 1)[-1] == name:
                    found.append((p, s))
        return found

    def files_mentioning(self, name: str) -> int:
        return len({p for p, _, _ in self.mentions([name])[name]})
