"""Generated code, as the repository itself marks it: `.gitattributes` lines that set
`linguist-generated` (or `linguist-vendored`, code kept from elsewhere), the markers GitHub
reads to collapse such files in a diff, and the `Code generated ... DO NOT EDIT.` and
`@generated` headers generators write. A generator repeats itself by design (one
`_parse_response` per endpoint of an OpenAPI client): such code is not a copy anyone
wrote, and it is rewritten, not edited, so it is no place to merge copies either."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import pathspec

_ATTRIBUTES = ("linguist-generated", "linguist-vendored")
# Go's convention (https://go.dev/s/generatedcode) and the `@generated` tag of Meta's tools,
# read from a file's first lines only
_HEADER = re.compile(r"^\W*(?:Code generated .* DO NOT EDIT\.?|.*@generated\b)", re.M)
_HEADER_LINES = 5


@dataclass(frozen=True)
class _Rule:
    folder: str  # the folder of the `.gitattributes` file, "" at the root
    spec: pathspec.GitIgnoreSpec  # gitattributes patterns follow gitignore's rules
    generated: (
        bool  # `linguist-generated` / `=true` set it, `-linguist-generated` / `=false` unset it
    )


def _value(attribute: str) -> bool | None:
    """What one attribute of a line says: True (set), False (unset), None (another one)."""
    negated = attribute.startswith(("-", "!"))
    name, _, value = attribute.lstrip("-!").partition("=")
    if name not in _ATTRIBUTES:
        return None
    return not (negated or value.lower() in ("false", "0", "no"))


def _rules(folder: str, text: str) -> list[_Rule]:
    rules: list[_Rule] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        values = [v for v in map(_value, parts[1:]) if v is not None]
        if not values:
            continue
        try:
            spec = pathspec.GitIgnoreSpec.from_lines([parts[0]])
        except (ValueError, TypeError):
            continue  # a pattern git would ignore too
        rules.append(_Rule(folder, spec, values[-1]))
    return rules


def generated_files(
    paths: Collection[str], text: Callable[[str], str | None]
) -> Callable[[str, bool], bool]:
    """A test of whether a path of this tree is generated: by the `.gitattributes` files
    among ``paths`` (deeper files and later lines win, as in git), or, when asked
    (``header``), by the file's own first lines."""
    rules: list[_Rule] = []
    # root first, then deeper folders: a closer `.gitattributes` overrides a farther one
    for path in sorted(
        (p for p in paths if posixpath.basename(p) == ".gitattributes"),
        key=lambda p: (p.count("/"), p),
    ):
        rules += _rules(posixpath.dirname(path), text(path) or "")
    memo: dict[tuple[str, bool], bool] = {}

    def generated(path: str, header: bool) -> bool:
        key = (path, header)
        if key not in memo:
            marked: bool | None = None
            for rule in rules:
                if rule.folder and not path.startswith(rule.folder + "/"):
                    continue
                relative = path[len(rule.folder) + 1 :] if rule.folder else path
                if rule.spec.match_file(relative):
                    marked = rule.generated
            if marked is None and header:
                head = "\n".join((text(path) or "").split("\n", _HEADER_LINES)[:_HEADER_LINES])
                marked = bool(_HEADER.search(head))
            memo[key] = bool(marked)
        return memo[key]

    return generated
