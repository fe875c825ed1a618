"""How long the whole offline `cleanup` takes next to its floor: plain `git diff` over the same
branches, measured in the same run (these machines are noisy, so the ratio is the figure).

    python benchmarks/collect_speed.py --repo PATH --since REF
    python benchmarks/collect_speed.py --synthetic 300        # a generated history with 300 merges

Targets (issue 2): cold run within 3x the floor, warm re-run (symbol cache filled) within 1.5x.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.config import Config
from idealize.pipeline import run


def git_diff_floor(repo: Path, pairs: list[tuple[str, str]]) -> float:
    """Plain `git diff base head` for every branch, output read and thrown away."""
    start = time.perf_counter()
    for base, head in pairs:
        subprocess.run(["git", "diff", base, head], cwd=repo, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def timed_run(config: Config) -> tuple[float, int, int]:
    start = time.perf_counter()
    plan = run(config)
    elapsed = time.perf_counter() - start
    return elapsed, len(plan.branches), len(plan.findings)


def _env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def _module(n: int, version: dict[int, int]) -> str:
    funcs = []
    for f in range(12):
        v = version.get(f, 0)
        funcs.append(
            f"def handler_{n}_{f}(request, limit={10 + f}):\n"
            f'    """Handle case {f} of module {n}."""\n'
            f"    items = request.get('items', [])[:limit]\n"
            f"    total = sum(item.get('size', 0) for item in items)\n"
            f"    return {{'module': {n}, 'case': {f}, 'total': total + {v}}}\n"
        )
    return f'"""Module {n}."""\n\n\n' + "\n\n".join(funcs)


def synthetic_history(dest: Path, merges: int, modules: int = 60, seed: int = 7) -> str:
    """A package of `modules` files; `merges` feature branches each edit two functions and add one,
    merged with --no-ff. Returns the ref to pass as --since."""
    rng = random.Random(seed)
    env = _env()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)

    dest.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    versions: dict[int, dict[int, int]] = {m: {} for m in range(modules)}
    pkg = dest / "pkg"
    pkg.mkdir()
    for m in range(modules):
        (pkg / f"mod{m}.py").write_text(_module(m, versions[m]))
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("tag", "bench-base")
    for i in range(merges):
        git("checkout", "-q", "-b", f"agent/{i}")
        m = rng.randrange(modules)
        for f in rng.sample(range(12), 2):
            versions[m][f] = versions[m].get(f, 0) + 1
        text = _module(m, versions[m]) + f"\n\ndef added_{i}(x):\n    return x * {i}\n"
        (pkg / f"mod{m}.py").write_text(text)
        versions[m][100 + i] = 0
        git("commit", "-qam", f"agent {i}: tune module {m}")
        git("checkout", "-q", "main")
        git("merge", "-q", "--no-ff", "-m", f"Merge branch 'agent/{i}'", f"agent/{i}")
        # keep the added function in main's copy of the module for the next branch
        (pkg / f"mod{m}.py").write_text(text)
    return "bench-base"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--since")
    parser.add_argument("--synthetic", type=int, metavar="MERGES")
    parser.add_argument("--repeat", type=int, default=3, help="take the best of N (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idealize-bench-") as tmp:
        if args.synthetic:
            repo = Path(tmp) / "synthetic"
            t0 = time.perf_counter()
            since = synthetic_history(repo, args.synthetic)
            print(f"generated {args.synthetic} merges in {time.perf_counter() - t0:.1f}s")
        elif args.repo and args.since:
            repo, since = args.repo, args.since
        else:
            parser.error("pass --repo PATH --since REF, or --synthetic MERGES")
        cache = Path(tmp) / "cache"
        probe = run(Config(repo=repo, since=since, use_cache=False))
        pairs = [(b.base, b.head) for b in probe.branches]
        commits = sum(len(b.commits) for b in probe.branches)
        files = sum(len(b.files) for b in probe.branches)
        print(
            f"{repo}: {len(pairs)} branches, {commits} commits, {files} file changes since {since}"
        )
        floor = min(git_diff_floor(repo, pairs) for _ in range(args.repeat))
        colds = []
        for _ in range(args.repeat):
            for f in cache.glob("*"):
                f.unlink()
            colds.append(timed_run(Config(repo=repo, since=since, cache_dir=cache))[0])
        cold = min(colds)
        warm, n_branches, n_findings = min(
            timed_run(Config(repo=repo, since=since, cache_dir=cache)) for _ in range(args.repeat)
        )
        print(f"floor  (git diff per branch): {floor:8.3f}s")
        print(
            f"cold   idealize cleanup     : {cold:8.3f}s  ratio {cold / floor:5.2f}x  (target <= 3x)"
        )
        print(
            f"warm   idealize cleanup     : {warm:8.3f}s  ratio {warm / floor:5.2f}x  (target <= 1.5x)"
        )
        print(f"{n_branches} branches, {n_findings} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
