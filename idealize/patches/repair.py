"""Placing an edit whose text is not found as written: repair layers, tried in order
(each tested):

1. ``exact``; 2. ``whitespace`` (trailing spaces, tabs, CRLF); 3. ``indentation`` (the block
moved in or out: matched dedented, the replacement re-indented); 4. ``line-numbers``
(``12: `` or ``12 | `` prefixes a model copied from a numbered listing); 5. ``split`` (a
hunk whose parts moved apart: each part anchored on its own); for unified diffs the stated
line numbers are hints only, and a hunk found elsewhere is ``re-anchored``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from idealize.patches.edits import Edit

_NUMBERED = re.compile(r"^\s*\d+\s*(?:[:|]\s?|\s{2,})")


def _norm_ws(line: str) -> str:
    return line.rstrip().replace("\t", "    ")


def _find(lines: list[str], needle: list[str], key: Callable[[str], str]) -> int | None:
    want = [key(x) for x in needle]
    n = len(want)
    if n == 0:
        return None
    first = want[0]
    for i in range(len(lines) - n + 1):
        if key(lines[i]) == first and [key(x) for x in lines[i : i + n]] == want:
            return i
    return None


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def apply_edit(content: str, edit: Edit) -> tuple[str, str] | None:
    """The new content and the layer that placed the edit, or None."""
    if edit.search == "":
        return (edit.replace if content == "" else content + edit.replace), "exact"
    if edit.search in content:
        starts = [m.start() for m in re.finditer(re.escape(edit.search), content)]
        start = starts[0]
        layer = "exact"
        if edit.hint_line is not None:
            # a unified diff's hunk goes where it says when its text is there, else to the
            # nearest place it is found
            hint = edit.hint_line
            start = min(starts, key=lambda s: abs(content[:s].count("\n") + 1 - hint))
            at = content[:start].count("\n") + 1
            layer = "exact" if abs(at - hint) <= 1 else "re-anchored"
        return content[:start] + edit.replace + content[start + len(edit.search) :], layer
    lines = content.splitlines(keepends=True)
    search = edit.search.splitlines(keepends=True)
    replace = edit.replace.splitlines(keepends=True)
    # 2. whitespace
    found = _find(lines, search, _norm_ws)
    if found is not None:
        return "".join(lines[:found] + replace + lines[found + len(search) :]), "whitespace"
    # 3. indentation: compare stripped, re-indent the replacement by the difference
    found = _find(lines, search, lambda s: s.strip())
    if found is not None:
        at = found
        have = _indent(lines[at])
        had = _indent(search[0])
        fixed = [
            (have + r[len(had) :] if r.startswith(had) else have + r.lstrip()) if r.strip() else r
            for r in replace
        ]
        return "".join(lines[:at] + fixed + lines[at + len(search) :]), "indentation"
    # 4. line numbers copied from a listing
    if all(_NUMBERED.match(s) or not s.strip() for s in search):
        cleaned = Edit(
            edit.path,
            "".join(_NUMBERED.sub("", s, count=1) for s in search),
            "".join(_NUMBERED.sub("", r, count=1) for r in replace),
        )
        result = apply_edit(content, cleaned)
        if result is not None:
            return result[0], "line-numbers"
    # 5. split: the block's halves moved apart; anchor each part where the lines differ
    return _split(content, search, replace)


def _split(content: str, search: list[str], replace: list[str]) -> tuple[str, str] | None:
    matcher = difflib.SequenceMatcher(a=search, b=replace, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(ops) < 2:
        return None
    new = content
    for _tag, i1, i2, j1, j2 in ops:
        ctx_before = search[max(0, i1 - 2) : i1]
        old_part = search[i1:i2]
        needle = "".join(ctx_before + old_part)
        if not needle.strip() or new.count(needle) != 1:
            return None
        new = new.replace(needle, "".join(ctx_before + replace[j1:j2]), 1)
    return new, "split"
