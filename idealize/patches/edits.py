"""Edits proposed by a model (untrusted text), read into ``Edit`` objects.

Formats: search/replace blocks (the default we ask for)::

    path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE

and unified diffs (parsed with unidiff). An empty SEARCH creates the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidiff import PatchSet  # type: ignore[attr-defined]
from unidiff.errors import UnidiffParseError

_BLOCK = re.compile(
    r"^(?P<path>[^\n]*)\n(?:```[^\n]*\n)?<{5,9} SEARCH[^\n]*\n(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} REPLACE[^\n]*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Edit:
    path: str
    search: str
    replace: str
    hint_line: int | None = None  # a unified diff's stated position


def parse_edits(text: str) -> tuple[list[Edit], list[str]]:
    """Search/replace blocks, else unified diffs. Returns the edits and what could not be read."""
    edits: list[Edit] = []
    problems: list[str] = []
    for m in _BLOCK.finditer(text):
        path = m.group("path").strip().strip("`*").strip()
        if path.startswith("```"):
            path = ""
        edits.append(Edit(path, m.group("search"), m.group("replace")))
    if edits:
        return edits, problems
    diff_text = "\n".join(_fenced(text)) or text
    if "--- " in diff_text and "+++ " in diff_text:
        try:
            for pf in PatchSet(diff_text):
                path = pf.path
                if pf.is_added_file:
                    edits.append(
                        Edit(
                            path,
                            "",
                            "".join(line.value for h in pf for line in h if not line.is_removed),
                        )
                    )
                    continue
                for h in pf:
                    old = "".join(line.value for line in h if not line.is_added)
                    new = "".join(line.value for line in h if not line.is_removed)
                    edits.append(Edit(path, old, new, hint_line=h.source_start))
        except UnidiffParseError as exc:
            problems.append(f"unreadable unified diff: {exc}")
    if not edits and not problems:
        problems.append("no search/replace blocks and no unified diff in the text")
    return edits, problems


def _fenced(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```(?:diff|patch)?\n(.*?)```", text, re.S)]
