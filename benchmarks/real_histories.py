"""Precision on code nobody here wrote: idealize on pinned ranges of public histories,
scored against truth files judged by reading the code at its commits.

    python benchmarks/real_histories.py --repos DIR [--only owner/name] [--dump OUT]

``evals/real/manifest.toml`` lists the repositories and their ranges (100-400 landed lines
of work each); ``DIR/owner__name`` must be a clone (``git clone <url> DIR/owner__name``).
``evals/real/truth/owner__name.toml`` holds the judgments: every finding judged TRUE,
DEBATABLE or FALSE with one line why (``[[judged]]``), and the TRUE items known
(``[[known]]``). A finding inherits a judgment when it has the same kind and half of the
named locations of both together in common (Jaccard >= 0.5): regrouping a finding keeps its
judgment, a different group needs a new one. A known TRUE item is kept when a finding
covers at least half of its locations.

Per repository it prints: lines of work, verified findings and findings per 100 lines of
work, judged TRUE/DEBATABLE/FALSE/unjudged, precision of all findings and of the top 20
(TRUE over judged; DEBATABLE counts against), the TRUE items kept (known ones still
reported as findings), candidates, resolved-since, and the time (cold cache unless
``--cache DIR`` keeps one between runs).
``--dump OUT`` writes the unjudged findings and candidates of each repository as JSON for
judging. Targets (issue 10): top-20 precision >= 0.8, all >= 0.7, at most 15 findings per
100 lines of work, every TRUE item kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.config import Config
from idealize.output.plan_json import load_plan, to_json
from idealize.pipeline import run
from idealize.repo.git import Git
from idealize.types import Finding, Location, Plan

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "evals" / "real" / "manifest.toml"
TRUTH = ROOT / "evals" / "real" / "truth"


def names(locations: Any) -> frozenset[tuple[str, str]]:
    """A finding's named places: (path, symbol) or (path, line text) for text-found uses."""
    out = set()
    for loc in locations:
        if isinstance(loc, Location):
            path = loc.origin.path if loc.origin else loc.path
            out.add((path, loc.symbol or " ".join((loc.snippet or "").split())))
        else:
            out.add((loc[0], loc[1]))
    return frozenset(out)


def judged_as(f: Finding, judged: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The verdict a reader gave this finding: the judged item naming exactly its places.
    A finding that lists other members (a third copy dropped or added) says something else
    and is judged again, so a verdict never carries over to a claim nobody read."""
    mine = names(f.locations)
    for j in judged:
        if j["kind"] == f.kind and names(j["locations"]) == mine:
            return j
    return None


def kept(item: dict[str, Any], reported: list[Finding]) -> bool:
    theirs = names(item["locations"])
    return any(
        f.kind == item["kind"] and len(names(f.locations) & theirs) / max(1, len(theirs)) >= 0.5
        for f in reported
    )


def analyse(repo: Path, since: str, head: str, cache: Path | None) -> tuple[Plan, float]:
    git = Git(repo)
    if git.resolve("HEAD") != git.resolve(head):
        git.run("checkout", "-q", "--detach", head)
    with tempfile.TemporaryDirectory(prefix="idealize-real-") as fresh:
        start = time.perf_counter()
        folder = cache / repo.name if cache else Path(fresh)
        plan = run(replace(Config(repo=repo, since=since), cache_dir=folder))
        return plan, time.perf_counter() - start


def location_rows(f: Finding) -> list[dict[str, Any]]:
    return [
        {
            "path": loc.path,
            "symbol": loc.symbol,
            "lines": [loc.start_line, loc.end_line],
            "branch": loc.branch,
            "tree": loc.tree,
            "commit": loc.commit,
            "gone": loc.gone,
            "snippet": loc.snippet,
        }
        for loc in f.locations
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repos", type=Path, required=True, help="folder of owner__name clones")
    parser.add_argument("--only", action="append", help="owner/name (repeatable)")
    parser.add_argument("--dump", type=Path, help="write unjudged findings and candidates here")
    parser.add_argument("--plans", type=Path, help="write each plan.json here (owner__name.json)")
    parser.add_argument(
        "--cache", type=Path, help="keep caches here between runs (default: cold, a fresh cache)"
    )
    parser.add_argument(
        "--from-plans",
        type=Path,
        help="score the plan.json files a --plans run wrote (after new judgments), without analysing",
    )
    args = parser.parse_args()
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    header = (
        f"{'repository':<26} {'lines':>5} {'find':>4} {'/100':>5} {'T':>3} {'D':>3} {'F':>3} "
        f"{'?':>3} {'prec':>5} {'top20':>5} {'kept':>6} {'cand':>5} {'res':>4} {'sec':>6}"
    )
    print(header)
    totals = {"T": 0, "D": 0, "F": 0}
    failed = False
    for entry in manifest["repo"]:
        name = entry["name"]
        if args.only and name not in args.only:
            continue
        slug = name.replace("/", "__")
        clone = args.repos / slug
        if not clone.exists():
            print(f"{name:<26} missing: git clone {entry['url']} {clone}")
            continue
        truth_file = TRUTH / f"{slug}.toml"
        truth = tomllib.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
        judged = truth.get("judged", [])
        known = [k for k in truth.get("known", []) if k.get("verdict", "TRUE") == "TRUE"]
        if args.from_plans:
            saved = args.from_plans / f"{slug}.json"
            if not saved.exists():
                continue
            plan, seconds = load_plan(saved), float("nan")
        else:
            plan, seconds = analyse(clone, entry["since"], entry["head"], args.cache)
        if args.plans:
            args.plans.mkdir(parents=True, exist_ok=True)
            (args.plans / f"{slug}.json").write_text(to_json(plan, clone), encoding="utf-8")
        reported = sorted(
            (f for f in plan.findings if f.tier == "finding" and f.status == "open"),
            key=lambda f: f.rank,
        )
        candidates = [f for f in plan.findings if f.tier == "candidate" and f.status == "open"]
        resolved = [f for f in plan.findings if f.status == "resolved"]
        verdicts = [judged_as(f, judged) for f in reported]
        count = {
            v: sum(1 for j in verdicts if j is not None and j["verdict"] == v)
            for v in ("TRUE", "DEBATABLE", "FALSE")
        }
        unjudged = sum(1 for j in verdicts if j is None)
        decided = sum(count.values())
        top = [j for j in verdicts[:20] if j is not None]
        precision = count["TRUE"] / decided if decided else float("nan")
        top20 = sum(1 for j in top if j["verdict"] == "TRUE") / len(top) if top else float("nan")
        kept_n = sum(1 for k in known if kept(k, reported))
        lines = len(plan.branches)
        per100 = 100 * len(reported) / max(1, lines)
        print(
            f"{name:<26} {lines:>5} {len(reported):>4} {per100:>5.1f} {count['TRUE']:>3} "
            f"{count['DEBATABLE']:>3} {count['FALSE']:>3} {unjudged:>3} {precision:>5.2f} "
            f"{top20:>5.2f} {kept_n:>3}/{len(known):<2} {len(candidates):>5} {len(resolved):>4} "
            f"{seconds:>6.1f}"
        )
        totals["T"] += count["TRUE"]
        totals["D"] += count["DEBATABLE"]
        totals["F"] += count["FALSE"]
        failed |= bool(
            (decided and (precision < 0.7 or top20 < 0.8)) or per100 > 15 or kept_n < len(known)
        )
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            rows = []
            for f in [*reported, *candidates]:
                if judged_as(f, judged) is not None:
                    continue
                rows.append(
                    {
                        "id": f.id,
                        "rank": f.rank,
                        "tier": f.tier,
                        "kind": f.kind,
                        "title": f.title,
                        "confidence": f.confidence,
                        "evidence": list(f.evidence),
                        "locations": location_rows(f),
                    }
                )
            branches = {
                b.name: {
                    "head": b.head,
                    "base": b.base,
                    "commits": [c.subject for c in b.commits][:5],
                }
                for b in plan.branches
            }
            (args.dump / f"{slug}.json").write_text(
                json.dumps(
                    {
                        "repo": name,
                        "head": entry["head"],
                        "since": entry["since"],
                        "findings": rows,
                        "branches": branches,
                    },
                    indent=1,
                ),
                encoding="utf-8",
            )
    decided = sum(totals.values())
    if decided:
        print(
            f"all judged findings: {totals['T']} TRUE, {totals['D']} DEBATABLE, "
            f"{totals['F']} FALSE: precision {totals['T'] / decided:.2f} (DEBATABLE against), "
            f"{totals['T'] / max(1, totals['T'] + totals['F']):.2f} (TRUE over TRUE and FALSE)"
        )
    print(
        "targets: precision >= 0.70 (top 20 >= 0.80), <= 15 findings per 100 lines of work, every TRUE item kept"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
