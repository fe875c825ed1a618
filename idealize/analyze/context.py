"""What every detector is given: the branches, their pieces, the target, and who ran in
parallel with whom. Built once by the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from idealize.analyze.head import TreeView
from idealize.analyze.pieces import Piece
from idealize.repo.git import Git
from idealize.types import Branch, Parallel

# calls made anywhere in a changed file's new version, read only when asked for
FileCalls = Callable[[str | None, str], frozenset[str]]


@dataclass(frozen=True)
class Context:
    git: Git
    branches: tuple[Branch, ...]
    pieces: tuple[Piece, ...]  # what the branches added, changed or removed
    existing: tuple[Piece, ...]  # functions already on the target, for reuse checks
    # short name -> (path, qualified name, kind): defined on the target, or removed by a branch
    defined: Mapping[str, tuple[str, str, str]]
    on_target: frozenset[str]  # short names the target tree still defines
    merged_tree: str | None  # post-merge: the merged HEAD, checked for uses that remain
    parallel: Parallel  # were two branches in flight at the same time?
    file_calls: FileCalls
    # the analysed tree (post-merge: the merged HEAD; before merging: the target), and each
    # branch's own tree by branch name: what findings are verified against
    head: TreeView
    trees: Mapping[str, TreeView]

    @cached_property
    def pieces_of(self) -> Mapping[str, tuple[Piece, ...]]:
        """Each line of work's pieces, by its name."""
        grouped: dict[str, list[Piece]] = {}
        for p in self.pieces:
            if p.branch is not None:
                grouped.setdefault(p.branch, []).append(p)
        return {name: tuple(found) for name, found in grouped.items()}

    @property
    def merged(self) -> bool:
        return self.merged_tree is not None

    def tree_of(self, branch: str | None) -> TreeView:
        """Where a piece of ``branch`` lives now: HEAD after merging, else the branch."""
        if self.merged or branch is None:
            return self.head
        return self.trees[branch]
