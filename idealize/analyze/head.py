"""A tree as it is at one commit, read lazily: the ground truth every finding is checked
against before it is reported.

Post-merge the tree is the merged HEAD; before merging, a branch's head. Everything is
read on demand and kept: the file list (one ``ls-tree``), file contents (one
``cat-file --batch`` process), definitions (tree-sitter, cached by blob id), which words
are code (tree-sitter) and where names are mentioned (batched ``git grep``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from idealize.repo.git import BlobReader, Git
from idealize.repo.languages import EXTENSIONS, family, language_of
from idealize.repo.symbols import SymbolIndex
from idealize.repo.syntax import CodeMap, code_map
from idealize.types import Symbol

MAX_FILE_BYTES = 1_000_000
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

Mention = tuple[str, int, str]  # path, line, text
_SOURCE_GLOBS = tuple(f"*{ext}" for ext in EXTENSIONS)


class TreeView:
    def __init__(self, git: Git, commit: str, symbols: SymbolIndex) -> None:
        self.git = git
        self.commit = commit
        self.symbols = symbols
        self._paths: dict[str, str] | None = None
        self._reader: BlobReader | None = None
        self._sources: dict[str, bytes | None] = {}
        self._defs: dict[str, tuple[Symbol, ...]] = {}
        self._maps: dict[str, CodeMap | None] = {}
        self._mentions: dict[str, list[Mention]] = {}

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

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
                if self._reader is None:
                    self._reader = BlobReader(self.git)
                data = self._reader.read(blob)
                if data is not None and len(data) > MAX_FILE_BYTES:
                    data = None
            self._sources[path] = data
        return self._sources[path]

    def text(self, path: str) -> str | None:
        data = self.source(path)
        return None if data is None else data.decode("utf-8", "replace")

    def line(self, path: str, number: int) -> str | None:
        text = self.text(path)
        if text is None:
            return None
        lines = text.splitlines()
        return lines[number - 1] if 1 <= number <= len(lines) else None

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

    def has_symbol(self, path: str, qualified: str) -> bool:
        return any(s.name == qualified for s in self.definitions(path))

    # -- words ------------------------------------------------------------------------------

    def is_code(self, path: str, line: int, word: str) -> bool:
        """Is ``word`` on ``line`` of ``path`` code (not a comment, docstring or string)?
        Files that are not source code (docs, data) hold no code."""
        language = language_of(path)
        if language is None:
            return False
        if path not in self._maps:
            source = self.source(path)
            self._maps[path] = None if source is None else code_map(source, language)
        found = self._maps[path]
        return found.is_code(line, word) if found is not None else False

    def mentions(self, names: Iterable[str]) -> dict[str, list[Mention]]:
        """Every line of the tree that mentions each name as a word, in a few git calls."""
        wanted = sorted({n for n in names if n not in self._mentions and _WORD.fullmatch(n)})
        for n in wanted:
            self._mentions[n] = []
        for i in range(0, len(wanted), 400):
            chunk = wanted[i : i + 400]
            args = ["grep", "-n", "-w", "-I", "--full-name", "-F"]
            for name in chunk:
                args += ["-e", name]
            # only source files: docs, data and recorded fixtures mention names, never use them
            # (and one 3 MB line of test data made every search slow)
            out = self.git.text(*args, self.commit, "--", *_SOURCE_GLOBS, check=False)
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
        paths = sorted({p for p, _, _ in self.mentions([name])[name]})
        found: list[tuple[str, Symbol]] = []
        for p in paths:
            lang = language_of(p)
            if lang is None or (wanted is not None and family(lang) != wanted):
                continue
            for s in self.definitions(p):
                if s.name.rsplit(".", 1)[-1] == name:
                    found.append((p, s))
        return found

    def files_mentioning(self, name: str) -> int:
        return len({p for p, _, _ in self.mentions([name])[name]})
