"""Every threshold is a hypothesis: vary each rule parameter around its default and print
what the engine finds.

    python benchmarks/threshold_sweep.py [--rule duplicate] [--param threshold]
                                         [--repos DIR --only owner/name ...]

For each numeric parameter of each rule (analyze/rules.py), the value is set to 0.5x,
0.75x, 1x, 1.25x and 1.5x its default (others at their defaults) and the static engine
runs again on collections read once. Printed per value:
- on the samples (every landing variant): planted items found as findings (recall) and
  findings nobody planted (extra);
- with ``--repos``, on the pinned public histories of evals/real: verified findings, how
  many of them the truth files judge TRUE / FALSE (precision = TRUE / (TRUE + FALSE);
  DEBATABLE and unjudged are counted apart) and findings per 100 lines of work.
A default that sits on a cliff (recall drops or precision falls one step away) is worth a
second look; a flat neighbourhood says the value is not critical.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_histories import TRUTH, judged_as

from idealize.analyze.rules import RULES
from idealize.cache import Cache
from idealize.evaluate.groundtruth import score
from idealize.evaluate.samples import build_sample, cleanup_config, load_samples
from idealize.pipeline import static_plan
from idealize.repo.collect import CollectOptions, collect
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FACTORS = (0.5, 0.75, 1.0, 1.25, 1.5)


def variations(only_rule: str | None, only_param: str | None) -> Iterator[tuple[str, str, Any]]:
    for r in RULES:
        if only_rule and r.kind != only_rule:
            continue
        for f in dataclasses.fields(r.params):
            value = getattr(r.params, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if only_param and f.name != only_param:
                continue
            yield r.kind, f.name, value


def vary(value: Any, factor: float) -> Any:
    return max(1, round(value * factor)) if isinstance(value, int) else round(value * factor, 3)


class Case:
    """A collection read once, analysed many times."""

    def __init__(self, label: str, repo: Path, options: CollectOptions, cache_dir: Path) -> None:
        self.label = label
        self.git = Git(repo)
        self.cache = Cache(cache_dir)
        self.collection = collect(self.git, options, SymbolIndex(self.cache))

    def findings(self, params: dict[str, Any]) -> list[Any]:
        plan, _ = static_plan(self.git, self.collection, self.cache, rule_params=params)
        return [f for f in plan.findings if f.tier == "finding" and f.status == "open"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rule")
    parser.add_argument("--param")
    parser.add_argument("--repos", type=Path, help="clones of evals/real (owner__name)")
    parser.add_argument("--only", action="append", help="owner/name of a real history")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="idealize-sweep-"))
    samples = []
    for s in load_samples():
        for variant in s.variants:
            dest = work / variant / s.name
            build_sample(s, dest, variant)
            config = cleanup_config(s, variant, dest)
            options = CollectOptions(
                since=config.since,
                branches=config.branches,
                into=config.into,
                worktrees=config.worktrees,
            )
            samples.append((s, variant, Case(f"{s.name}-{variant}", dest, options, work / "cache")))
    real = []
    if args.repos:
        manifest = tomllib.loads(
            (Path(__file__).resolve().parents[1] / "evals/real/manifest.toml").read_text()
        )
        for entry in manifest["repo"]:
            if args.only and entry["name"] not in args.only:
                continue
            slug = entry["name"].replace("/", "__")
            clone = args.repos / slug
            truth_file = TRUTH / f"{slug}.toml"
            if not clone.exists() or not truth_file.exists():
                continue
            git = Git(clone)
            git.run("checkout", "-q", "--detach", entry["head"])
            truth = tomllib.loads(truth_file.read_text())
            real.append(
                (
                    truth.get("judged", []),
                    Case(entry["name"], clone, CollectOptions(since=entry["since"]), work / slug),
                )
            )
    defaults = {r.kind: r.params for r in RULES}
    header = f"{'rule.parameter':<44} {'value':>8} {'recall':>8} {'extra':>6}"
    if real:
        header += f" {'find':>6} {'T':>4} {'F':>4} {'D/?':>5} {'prec':>6} {'/100':>6}"
    print(header)
    planted = sum(len(s.planted) for s, _, _ in samples)
    for kind, name, value in variations(args.rule, args.param):
        for factor in FACTORS:
            v = vary(value, factor)
            params = {
                **defaults,
                kind: dataclasses.replace(defaults[kind], **{name: v}),
            }
            found = extra = 0
            for s, variant, case in samples:
                result = score(
                    case.findings(params),
                    s.planted,
                    lambda b, s=s, variant=variant: s.label(b, variant),
                )
                found += len(result.found)
                extra += len(result.extra)
            row = f"{kind + '.' + name:<44} {v!s:>8} {found:>3}/{planted:<4} {extra:>6}"
            if real:
                t = f = other = total = lines = 0
                for judged, case in real:
                    reported = case.findings(params)
                    total += len(reported)
                    lines += len(case.collection.branches)
                    for finding in reported:
                        j = judged_as(finding, judged)
                        verdict = j["verdict"] if j else "?"
                        t += verdict == "TRUE"
                        f += verdict == "FALSE"
                        other += verdict not in ("TRUE", "FALSE")
                prec = f"{t / (t + f):.2f}" if t + f else "  -"
                row += f" {total:>6} {t:>4} {f:>4} {other:>5} {prec:>6} {100 * total / max(1, lines):>6.1f}"
            marker = "  <- default" if factor == 1.0 else ""
            print(row + marker, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
