"""Review units: related changed code grouped so one prompt sees every piece of a finding."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from idealize.analyze.pieces import Piece
from idealize.types import Finding, Location, ModuleOverlap, Unit

MAX_UNIT = 40
Key = tuple[str | None, str, str | None]


def _key(loc: Location) -> Key:
    return (loc.branch, loc.path, loc.symbol if loc.symbol else f"line {loc.start_line}")


class _Groups:
    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}
        self.size: dict[Key, int] = {}

    def find(self, k: Key) -> Key:
        if k not in self.parent:
            self.parent[k] = k
            self.size[k] = 1
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: Key, b: Key, cap: int | None = None) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if cap is not None and self.size[ra] + self.size[rb] > cap:
            return
        if str(ra) > str(rb):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def build_units(
    findings: Sequence[Finding], modules: Sequence[ModuleOverlap], pieces: Sequence[Piece]
) -> tuple[Unit, ...]:
    groups = _Groups()
    locations: dict[Key, Location] = {}
    finding_of: dict[Key, list[str]] = defaultdict(list)
    for f in findings:
        keys = [_key(loc) for loc in f.locations]
        for loc, k in zip(f.locations, keys, strict=False):
            locations.setdefault(k, loc)
            finding_of[k].append(f.id)
            groups.union(keys[0], k)  # a finding is never split
    by_path: dict[str, list[Piece]] = defaultdict(list)
    for p in pieces:
        if p.branch is not None:
            by_path[p.path].append(p)
    for m in modules:
        members = [p for p in by_path.get(m.path, []) if p.branch in m.branches]
        if not members:
            module_key: Key = (None, m.path, None)
            locations.setdefault(module_key, Location(m.path, None, None, None, None))
            continue
        loose = [p for p in members if _key(p.location()) not in finding_of]
        for p in loose:
            loc = p.location()
            locations.setdefault(_key(loc), loc)
        # pieces of one symbol changed by several branches always meet
        by_symbol: dict[str, list[Piece]] = defaultdict(list)
        for p in members:
            by_symbol[p.symbol].append(p)
        for same in by_symbol.values():
            for p in same[1:]:
                if _key(p.location()) in locations and _key(same[0].location()) in locations:
                    groups.union(_key(same[0].location()), _key(p.location()), cap=MAX_UNIT)
        if loose and len(loose) == len(members):
            for p in loose[1:]:
                groups.union(_key(loose[0].location()), _key(p.location()), cap=MAX_UNIT)
    # references between pieces already in a unit
    seeded = [p for p in pieces if p.branch is not None and _key(p.location()) in locations]
    names = {p.short: p for p in seeded if len(p.short) > 3}
    for p in seeded:
        for ident in sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", p.added_text))):
            q = names.get(ident)
            if (
                q is not None
                and q is not p
                and not (_key(p.location()) in finding_of and _key(q.location()) in finding_of)
            ):
                groups.union(_key(p.location()), _key(q.location()), cap=MAX_UNIT)
    # findings must never be split, even past the cap
    for f in findings:
        keys = [_key(loc) for loc in f.locations]
        for k in keys[1:]:
            groups.union(keys[0], k)
    clusters: dict[Key, list[Key]] = defaultdict(list)
    for k in locations:
        clusters[groups.find(k)].append(k)
    units: list[Unit] = []
    ordered = sorted(
        clusters.values(),
        key=lambda ks: (
            -len({fid for k in ks for fid in finding_of.get(k, [])}),
            str(sorted(ks, key=str)[0]),
        ),
    )
    for n, keys in enumerate(ordered, start=1):
        unit_members = tuple(
            locations[k] for k in sorted(keys, key=lambda k: (k[1], str(k[2]), str(k[0])))
        )
        fids = tuple(dict.fromkeys(fid for k in keys for fid in finding_of.get(k, [])))
        paths = tuple(dict.fromkeys(m.path for m in unit_members))
        symbols = [m.symbol for m in unit_members if m.symbol]
        title = (
            ", ".join(f"`{s}`" for s in list(dict.fromkeys(symbols))[:3])
            + (" …" if len(set(symbols)) > 3 else "")
            if symbols
            else ", ".join(f"`{p}`" for p in paths[:3])
        )
        units.append(
            Unit(id=f"U{n}", title=title, members=unit_members, findings=fids, modules=paths)
        )
    return tuple(units)
