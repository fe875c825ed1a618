"""How the static engine scales: 50 parallel branches, changed symbols doubling up to 10,000.

    python benchmarks/analysis_scale.py [--max 10000] [--branches 50]

Each step generates branches whose changed functions are drawn from a vocabulary of
concepts (so some really are duplicates), runs the duplicate detector (the one whose
candidate search could go all-pairs; the other detectors check findings against a git tree
and are measured end to end by benchmarks/history_scale.py) and the unit grouping, and
prints the time and the growth factor against the previous step. Close to linear means a
factor near 2 per doubling; all-pairs would give about 4. Target (issue 3): 10,000 symbols
in under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.analyze.detectors.duplicates import find_duplicates
from idealize.analyze.features import FeatureStore, concept_tokens
from idealize.analyze.pieces import Piece
from idealize.analyze.units import build_units
from idealize.cache import Cache
from idealize.types import Branch, Commit, FileChange, Hunk, SymbolChange

VERBS = [
    "load",
    "fetch",
    "parse",
    "render",
    "validate",
    "store",
    "send",
    "build",
    "merge",
    "compute",
    "resolve",
    "sync",
]
NOUNS = [
    "user",
    "order",
    "invoice",
    "model",
    "session",
    "config",
    "report",
    "token",
    "cache",
    "price",
    "route",
    "event",
]
CALLS = [
    "requests.get",
    "json.loads",
    "open",
    "os.path.join",
    "re.match",
    "datetime.now",
    "hashlib.sha256",
    "sorted",
]


def _function(rng: random.Random, name: str, concept: int) -> str:
    verb, noun = VERBS[concept % len(VERBS)], NOUNS[concept // len(VERBS) % len(NOUNS)]
    body = [f"def {name}(source, limit=10):", f'    """{verb} the {noun}s."""']
    body.append(f'    url = "/api/{noun}s/{concept}"')
    for _ in range(rng.randint(3, 8)):
        call = rng.choice(CALLS)
        var = rng.choice(["items", "data", "result", "rows", noun])
        body.append(f"    {var} = {call}({rng.choice(['url', 'source', 'limit', var])})")
    body.append(f"    return [{noun} for {noun} in items if {noun}][:limit]")
    return "\n".join(body)


def generate(symbols: int, branches: int, seed: int = 3) -> tuple[list[Branch], list[Piece]]:
    rng = random.Random(seed)
    store = FeatureStore(Cache(None))
    per_branch = max(1, symbols // branches)
    all_branches: list[Branch] = []
    pieces: list[Piece] = []
    for b in range(branches):
        name = f"agent/{b}"
        files: list[FileChange] = []
        for k in range(per_branch):
            concept = rng.randrange(max(50, symbols // 4))
            fname = f"{VERBS[concept % len(VERBS)]}_{rng.choice(NOUNS)}_{b}_{k}"
            text = _function(rng, fname, concept)
            path = f"pkg/b{b}/m{k // 20}.py"
            lines = text.count("\n") + 1
            hunk = Hunk(1, 0, 1, lines, (), tuple(text.splitlines()))
            files.append(
                FileChange(
                    path,
                    "added",
                    language="python",
                    hunks=(hunk,),
                    symbols=(SymbolChange(fname, "function", "added", None, None, 1, lines),),
                )
            )
            feats = store.get(text, "python")
            pieces.append(
                Piece(
                    branch=name,
                    path=path,
                    symbol=fname,
                    kind="function",
                    change="added",
                    start_line=1,
                    end_line=lines,
                    language="python",
                    text=text,
                    features=feats,
                    added=feats,
                    added_text=text,
                    removed_text="",
                    params=("source", "limit"),
                    old_params=(),
                    name_tokens=concept_tokens(fname),
                    subject=f"agent {b} work",
                )
            )
        all_branches.append(
            Branch(
                name,
                "branch",
                "0" * 40,
                "0" * 40,
                (Commit("0" * 40, f"agent {b} work"),),
                tuple(files),
            )
        )
    return all_branches, pieces


def run_once(symbols: int, branches: int) -> tuple[float, int]:
    start = time.perf_counter()
    _, pieces = generate(symbols, branches)
    findings = find_duplicates(pieces)
    build_units(findings, (), pieces)
    return time.perf_counter() - start, len(findings)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=50)
    args = parser.parse_args()
    sizes = []
    n = args.max
    while n >= 1250:
        sizes.append(n)
        n //= 2
    sizes.reverse()
    previous = None
    print(f"{'symbols':>8} {'seconds':>8} {'growth':>7} {'findings':>9}")
    for size in sizes:
        seconds, found = run_once(size, args.branches)
        growth = f"{seconds / previous:.2f}x" if previous else "-"
        print(f"{size:>8} {seconds:>8.2f} {growth:>7} {found:>9}")
        previous = seconds
    print("target: 10,000 symbols under 30 s; growth near 2x per doubling (all-pairs would be ~4x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
