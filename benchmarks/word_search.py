"""Where names are mentioned in a tree: idealize's word search against the way it searched
before, in the same run. The phantom and divergence checks ask where hundreds of names are
used at HEAD and at branch bases; each search was one ``git grep -w -F`` with a ``-e`` per
name, and git tries every pattern on every line. On pydantic-ai (15 MB of source) a
search of 400 names took 150 s, and a run of its 296 landed branches made five of them.
``Git.grep_words`` puts the names in one alternation (Perl regex, or extended where git
lacks PCRE).

    python benchmarks/word_search.py --repo PATH [--names 400] [--rev HEAD]

It takes the most used identifiers of the tree beyond the first hundred (names the checks
really look up are of that kind), prints the time of both searches, their ratio, and
checks that they found the same lines.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from idealize.analyze.head import SOURCE_GLOBS
from idealize.repo.git import Git


def _names(git: Git, rev: str, count: int) -> list[str]:
    out = git.text(
        "grep",
        "-h",
        "-I",
        "-o",
        "-E",
        "[A-Za-z_][A-Za-z0-9_]{5,}",
        rev,
        "--",
        *SOURCE_GLOBS,
        check=False,
    )
    ranked = [n for n, _ in Counter(re.findall(r"\S+", out)).most_common(100 + count)]
    return sorted(ranked[100:])


def _fixed_patterns(git: Git, rev: str, names: list[str]) -> str:
    args = ["grep", "-n", "-w", "-I", "--full-name", "-F"]
    for name in names:
        args += ["-e", name]
    return git.text(*args, rev, "--", *SOURCE_GLOBS, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=".", help="a git repository (default: this one)")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument(
        "--names", type=int, default=400, help="names in one search (idealize: 400)"
    )
    args = parser.parse_args()
    git = Git(args.repo)
    rev = git.resolve(args.rev)
    names = _names(git, rev, args.names)
    started = time.perf_counter()
    before = _fixed_patterns(git, rev, names)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    now = git.grep_words(rev, names, SOURCE_GLOBS)
    ours = time.perf_counter() - started
    how = "Perl regex" if git.grep_perl else "extended regex"
    print(
        f"{len(names)} names in {args.repo} at {rev[:12]}, {len(before.splitlines())} lines mention them"
    )
    print(f"  -w -F, one -e per name (before): {baseline:8.2f} s")
    print(
        f"  one alternation, {how:14}:  {ours:8.2f} s   ({baseline / max(ours, 1e-9):.0f}x faster)"
    )
    print(f"  same lines: {'yes' if now == before else 'NO'}")
    if now != before:
        sys.exit(1)


if __name__ == "__main__":
    main()
