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
from typing import Any

from unidiff import PatchSet  # type: ignore[attr-defined]
from unidiff.errors import UnidiffParseError

_BLOCK = re.compile(
    r"^(?P<path>[^\n]*)\n(?:```[^\n]*\n)?<{5,9} SEARCH[^\n]*\n(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} REPLACE[^\n]*$",
    re.M | re.S,
)


# git's extended header lines: what a unified diff may do besides editing text
_HEADER = re.compile(
    r"^(old mode|new mode|deleted file mode|new file mode|rename from|rename to|copy from|"
    r"copy to|similarity index|dissimilarity index|GIT binary patch|Binary files )(.*)$",
    re.M,
)


def diff_header_problem(text: str) -> str | None:
    """What a unified diff does besides editing and creating regular text files: mode changes,
    symbolic links, deletions, renames, copies, binary patches. idealize patches do none."""
    for m in _HEADER.finditer(text):
        word, rest = m.group(1), m.group(2).strip()
        if word == "new file mode":
            if rest == "100644":
                continue
            if rest == "120000":
                return "creates a symbolic link (mode 120000)"
            return f"creates a file with mode {rest} (only 100644 files are created)"
        if word in ("old mode", "new mode"):
            return f"changes a file mode ({m.group(0).strip()})"
        if word == "deleted file mode":
            return "deletes a file"
        if word.startswith(("rename", "similarity", "dissimilarity")):
            return "renames a file"
        if word.startswith("copy"):
            return "copies a file"
        return "binary patch"
    return None


@dataclass(frozen=True)
class Edit:
    path: str
    search: str
    replace: str
    hint_line: int | None = None  # a unified diff's stated position
    creates: bool = False  # a unified diff's new file: it must not exist yet


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
    danger = diff_header_problem(diff_text)
    if danger:
        return [], [danger]
    if "--- " in diff_text and "+++ " in diff_text:
        try:
            for pf in PatchSet(diff_text):
                path = pf.path
                source = _strip_prefix(pf.source_file)
                target = _strip_prefix(pf.target_file)
                if pf.is_removed_file or target == "/dev/null":
                    return [], [f"deletes a file ({source})"]
                if source != "/dev/null" and source != target:
                    return [], [f"renames a file ({source} -> {target})"]
                if pf.is_added_file:
                    edits.append(Edit(path, "", "".join(_sides(h)[1] for h in pf), creates=True))
                    continue
                for h in pf:
                    old, new = _sides(h)
                    edits.append(Edit(path, old, new, hint_line=h.source_start))
        except UnidiffParseError as exc:
            problems.append(f"unreadable unified diff: {exc}")
    if not edits and not problems:
        problems.append("no search/replace blocks and no unified diff in the text")
    return edits, problems


def _sides(hunk: Any) -> tuple[str, str]:
    """A hunk's text before and after, honouring "\\ No newline at end of file"."""
    old: list[str] = []
    new: list[str] = []
    last: tuple[list[str], ...] = ()
    for line in hunk:
        if line.line_type == "\\":  # the line before has no newline at the end
            for side in last:
                if side and side[-1].endswith("\n"):
                    side[-1] = side[-1][:-1]
            continue
        last = (old,) if line.is_removed else (new,) if line.is_added else (old, new)
        for side in last:
            side.append(line.value)
    return "".join(old), "".join(new)


def _strip_prefix(name: str) -> str:
    """``a/x`` or ``b/x`` -> ``x``, as git writes diff file names (``/dev/null`` stays)."""
    name = name.split("\t", 1)[0]
    return name[2:] if name.startswith(("a/", "b/")) else name


def _fenced(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```(?:diff|patch)?\n(.*?)```", text, re.S)]
