"""Locations that land: after merging, every place a finding points at is mapped from the
tree of the branch that brought it to the analysed HEAD.

A definition is found again by its qualified name (in its file, else, after a move, in the
one file that defines that name); a line found by text is found again by its text, nearest
to where it was. What is no longer at HEAD is marked ``gone`` and keeps the commit where it
was last seen, so outputs can show it as context but never as a result at HEAD. The branch
side is kept as ``origin``, so a reader can follow the line back to the branch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from idealize.analyze.head import TreeView, spaced
from idealize.types import Finding, Location, Origin, fingerprint


def _line_of(tree: TreeView, path: str, text: str, near: int | None) -> int | None:
    want = spaced(text)
    if not want:
        return None
    hits = [i + 1 for i, t in enumerate(tree.lines(path) or ()) if spaced(t) == want]
    if not hits:
        return None
    return min(hits, key=lambda n: abs(n - (near or n)))


def _snippet(tree: TreeView, path: str, line: int | None) -> str | None:
    if line is None:
        return None
    text = tree.line(path, line)
    return text.strip() if text is not None else None


def complete(loc: Location, tree: TreeView | None) -> Location:
    """Fill in what a location lacks from the tree it refers to: a symbol's lines, a line's
    text. Every location then carries a line, and a location found by text its snippet."""
    if tree is None or loc.gone:
        return loc
    if loc.symbol is not None and loc.start_line is None:
        found = next((s for s in tree.definitions(loc.path) if s.name == loc.symbol), None)
        if found is not None:
            loc = replace(loc, start_line=found.start_line, end_line=found.end_line)
    if loc.symbol is None and loc.snippet is None and loc.start_line is not None:
        loc = replace(loc, snippet=_snippet(tree, loc.path, loc.start_line))
    return loc


def prefetch_moved(locations: Iterable[Location], head: TreeView) -> None:
    """Search HEAD once for every symbol ``to_head`` will look for elsewhere (those no
    longer defined in their own file): one ``git grep`` for all, not one each."""
    head.prefetch(
        loc.symbol.rsplit(".", 1)[-1]
        for loc in locations
        if loc.symbol is not None
        and loc.tree != "head"
        and not loc.gone
        and not any(s.name == loc.symbol for s in head.definitions(loc.path))
    )


def to_head(loc: Location, head: TreeView, branch_tree: TreeView | None) -> Location:
    """The location as it is at HEAD (or marked gone), with its branch side as origin."""
    if loc.tree == "head" or loc.gone:
        return complete(loc, head)
    commit = loc.commit or (branch_tree.commit if branch_tree is not None else None)
    if commit is None:
        return complete(loc, head)  # nothing says which tree it came from
    loc = replace(loc, commit=commit)
    origin = Origin(loc.path, loc.start_line, loc.end_line, commit)
    snippet = loc.snippet
    if snippet is None and loc.symbol is None and branch_tree is not None:
        snippet = _snippet(branch_tree, loc.path, loc.start_line)
    if loc.symbol is not None:
        found = next((s for s in head.definitions(loc.path) if s.name == loc.symbol), None)
        path = loc.path
        if found is None:
            short = loc.symbol.rsplit(".", 1)[-1]
            elsewhere = [
                (p, s) for p, s in head.defined_anywhere(short, None) if s.name == loc.symbol
            ]
            # moved to one other file, unless that file held it on the branch too: then it
            # is the copy's original (stagehand: #1796 copied server-v3 into a server-v4 that
            # #2151 deleted; the v4 copy is gone, not moved back onto the v3 original)
            if len(elsewhere) == 1 and (
                branch_tree is None or not branch_tree.has_symbol(elsewhere[0][0], loc.symbol)
            ):
                path, found = elsewhere[0]
        if found is not None:
            if loc.start_line is not None and loc.end_line is not None and snippet is None:
                # a line inside the symbol (a use): keep it a line, found by its text
                inner = (
                    _snippet(branch_tree, loc.path, loc.start_line)
                    if branch_tree is not None and loc.start_line == loc.end_line
                    else None
                )
                if inner is not None:
                    at = _line_of(head, path, inner, found.start_line)
                    if at is not None:
                        return replace(
                            loc,
                            path=path,
                            start_line=at,
                            end_line=at,
                            tree="head",
                            commit=head.commit,
                            snippet=inner,
                            origin=origin,
                        )
            return replace(
                loc,
                path=path,
                start_line=found.start_line,
                end_line=found.end_line,
                tree="head",
                commit=head.commit,
                origin=origin,
            )
        return replace(loc, gone=True, origin=None, snippet=snippet)
    if snippet:
        at = _line_of(head, loc.path, snippet, loc.start_line)
        if at is not None:
            return replace(
                loc,
                start_line=at,
                end_line=at,
                tree="head",
                commit=head.commit,
                snippet=snippet,
                origin=origin,
            )
    if loc.start_line is None and head.exists(loc.path):
        return replace(loc, tree="head", commit=head.commit, origin=origin)
    return replace(loc, gone=True, snippet=snippet)


def map_findings(
    findings: Sequence[Finding],
    head: TreeView,
    trees: Mapping[str, TreeView],
    merged: bool,
) -> list[Finding]:
    """Every finding's locations as they are at HEAD after merging; before merging, as
    they are in the tree each one refers to, with their lines and snippets filled in."""
    out = []
    if merged:
        prefetch_moved([loc for f in findings for loc in f.locations], head)
    for f in findings:
        if merged:
            locations = tuple(
                to_head(loc, head, trees.get(loc.branch or "")) for loc in f.locations
            )
        else:
            locations = tuple(
                complete(loc, head if loc.tree == "head" else trees.get(loc.branch or ""))
                for loc in f.locations
            )
        out.append(replace(f, locations=locations, fingerprint=fingerprint(f.kind, locations)))
    return out
