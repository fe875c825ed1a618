"""Which words of a file are code: tree-sitter tells comments, docstrings and string
literals apart from code, so a name in a comment is never taken for a use of it.

Text inside an f-string's or template string's ``{...}`` is code again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
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
# the name a field declares (Go `Version int` in a struct, a TypeScript interface's or class's
# `serverUrl: string`) is a new name, not a use of another thing of that name: on
# dagger/container-use, a struct's `Version` field was reported as a use of a removed type
_FIELD_NAMES = frozenset({"field_identifier", "property_identifier"})
_FIELD_DECLARATIONS = frozenset(
    {"field_declaration", "property_signature", "public_field_definition"}
)
# the name a parameter declares, by the node that declares it and the field naming it
# (TypeScript `stepNamespace: string`, Python `limit=10`, Go `name string`, Rust, Java)
_PARAMETER_NAME_FIELD = {
    "required_parameter": "pattern",
    "optional_parameter": "pattern",
    "default_parameter": "name",
    "typed_default_parameter": "name",
    "parameter_declaration": "name",
    "formal_parameter": "name",
    "parameter": "pattern",
}
# lists whose bare identifiers are the names of parameters (Python's `def f(a, b: int)`,
# `lambda q:`, JavaScript's `function f(a, b)`)
_PARAMETER_LISTS = frozenset(
    {"parameters", "lambda_parameters", "typed_parameter", "formal_parameters"}
)


@dataclass
class CodeMap:
    """A parsed file, asked word by word: only the nodes around an asked word are visited
    (walking every node of every file a phantom check read took 3 s of a 24 s analysis)."""

    lines: list[bytes]
    tree: Any
    starts: list[int]  # the byte offset of each line

    def is_code(self, line: int, word: str) -> bool:
        """Is any occurrence of ``word`` on 1-based ``line`` in code?"""
        return next(self._in_code(line, word), None) is not None

    def names_parameter(self, line: int, word: str) -> bool:
        """Is every occurrence of ``word`` on 1-based ``line`` outside comments and strings
        the name a parameter declares (a signature's `stepNamespace: string,` on its own
        line)? Such a name is new, not a use of a field of that name elsewhere."""
        found = [_parameter_name(node) for node in self._in_code(line, word)]
        return bool(found) and all(found)

    def _in_code(self, line: int, word: str) -> Iterator[Any]:
        """The innermost node of each occurrence of ``word`` on ``line`` that is code."""
        if not 1 <= line <= len(self.lines):
            return
        text, base = self.lines[line - 1], self.starts[line - 1]
        root = self.tree.root_node
        for m in re.finditer(rb"(?<![\w$])" + re.escape(word.encode()) + rb"(?![\w$])", text):
            if _code_at(root, base + m.start(), base + m.end()):
                yield root.descendant_for_byte_range(base + m.start(), base + m.end())


def _parameter_name(node: Any) -> bool:
    parent = node.parent if node is not None else None
    if parent is None or node.type != "identifier":
        return False
    if parent.type in _PARAMETER_LISTS:
        return True
    field = _PARAMETER_NAME_FIELD.get(parent.type)
    named = parent.child_by_field_name(field) if field else None
    return named is not None and named.id == node.id


def _code_at(root: Any, start: int, end: int) -> bool:
    """The innermost node around the bytes decides: inside an interpolation (``f"{x}"``)
    is code, inside a comment or a string literal is not, and neither is a field's name
    where the field is declared."""
    node = root.descendant_for_byte_range(start, end)
    if (
        node is not None
        and node.type in _FIELD_NAMES
        and node.parent is not None
        and node.parent.type in _FIELD_DECLARATIONS
    ):
        return False
    while node is not None:
        kind = node.type
        if kind in _CODE_IN_STRING:
            return True
        if "comment" in kind or kind in _STRINGS:
            return False
        node = node.parent
    return True


def code_map(source: bytes, language: str) -> CodeMap | None:
    """The file parsed for ``CodeMap.is_code``, or None when the language has no grammar here."""
    parser = parser_for(language)
    if parser is None:
        return None
    lines = source.split(b"\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return CodeMap(lines, parser.parse(source), starts)
