"""Which words of a file are code: tree-sitter tells comments, docstrings and string
literals apart from code, so a name in a comment is never taken for a use of it.

Text inside an f-string's or template string's ``{...}`` is code again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from idealize.repo.languages import parser_for

_STRINGS = frozenset(
    {
        "string",
        "concatenated_string",
        "template_string",
        "interpreted_string_literal",
        "raw_string_literal",
        "string_literal",
        "text_block",
        "char_literal",
        "rune_literal",
        "character_literal",
        "regex",
    }
)
# code nested inside a string literal: f"{x}", `${x}`, "$x" / "${x}" in Dart
_CODE_IN_STRING = frozenset({"interpolation", "template_substitution", "format_expression"})


@dataclass
class CodeMap:
    """Per line, the byte spans that are not code (comments and string literals)."""

    lines: list[bytes]
    words_only: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def is_code(self, line: int, word: str) -> bool:
        """Is any occurrence of ``word`` on 1-based ``line`` in code?"""
        if not 1 <= line <= len(self.lines):
            return False
        text = self.lines[line - 1]
        spans = self.words_only.get(line - 1, [])
        for m in re.finditer(rb"(?<![\w$])" + re.escape(word.encode()) + rb"(?![\w$])", text):
            if not any(a <= m.start() and m.end() <= b for a, b in spans):
                return True
        return False


def _walk(node: Any) -> Iterator[tuple[Any, bool]]:
    """Every node that starts a non-code span, with whether it is a comment."""
    stack = [node]
    while stack:
        n = stack.pop()
        kind = n.type
        if "comment" in kind:
            yield n, True
            continue
        if kind in _STRINGS:
            yield n, False
            continue
        stack.extend(n.children)


def _code_inside(node: Any) -> Iterator[Any]:
    stack = list(node.children)
    while stack:
        n = stack.pop()
        if n.type in _CODE_IN_STRING:
            yield n
        else:
            stack.extend(n.children)


def code_map(source: bytes, language: str) -> CodeMap | None:
    """The non-code spans of a file, or None when the language has no grammar here."""
    parser = parser_for(language)
    if parser is None:
        return None
    tree = parser.parse(source)
    lines = source.split(b"\n")
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)

    def add(start: tuple[int, int], end: tuple[int, int]) -> None:
        (r0, c0), (r1, c1) = start, end
        for row in range(r0, r1 + 1):
            a = c0 if row == r0 else 0
            b = c1 if row == r1 else len(lines[row]) if row < len(lines) else 0
            if b > a:
                spans[row].append((a, b))

    for node, _comment in _walk(tree.root_node):
        holes = sorted(
            (n.start_point, n.end_point) for n in _code_inside(node)
        )  # interpolations stay code
        cursor = node.start_point
        for h_start, h_end in holes:
            add(cursor, h_start)
            cursor = h_end
        add(cursor, node.end_point)
    return CodeMap(lines, dict(spans))
