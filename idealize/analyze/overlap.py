"""Modules and symbols touched by two or more branches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from idealize.types import Branch, ModuleOverlap, SymbolOverlap


def module_overlaps(branches: Sequence[Branch]) -> tuple[ModuleOverlap, ...]:
    by_path: dict[str, list[str]] = defaultdict(list)
    sym_changes: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    sym_kind: dict[tuple[str, str], str] = {}
    for b in branches:
        for f in b.files:
            paths = {f.path} | ({f.old_path} if f.old_path else set())
            for p in paths:
                if b.name not in by_path[p]:
                    by_path[p].append(b.name)
            for s in f.symbols:
                sym_changes[(f.path, s.name)][b.name] = s.change
                sym_kind[(f.path, s.name)] = s.kind
                if f.old_path and s.change == "deleted":
                    sym_changes[(f.old_path, s.name)][b.name] = s.change
                    sym_kind[(f.old_path, s.name)] = s.kind
    # the symbols two branches changed, by path (sorted once, not once per module)
    shared: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for p, name in sorted(key for key, per_branch in sym_changes.items() if len(per_branch) >= 2):
        shared[p].append((name, sym_changes[(p, name)]))
    modules: list[ModuleOverlap] = []
    for path in sorted(by_path):
        names = by_path[path]
        if len(names) < 2:
            continue
        symbols: list[SymbolOverlap] = []
        for name, per_branch in shared.get(path, ()):
            kinds = sorted(set(per_branch.values()))
            symbols.append(
                SymbolOverlap(
                    name=name,
                    kind=sym_kind[(path, name)],
                    branches=tuple(per_branch),
                    change="/".join(kinds),
                    changes=tuple(per_branch.items()),
                )
            )
        modules.append(ModuleOverlap(path=path, branches=tuple(names), symbols=tuple(symbols)))
    return tuple(modules)
