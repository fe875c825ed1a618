"""Which commits are lines of work, and which ran in parallel: the trust issue's class 4
(work that never ran in parallel) and 5 (the same patch on two branches) on small
histories built for each case."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from idealize.cache import Cache
from idealize.config import Config
from idealize.pipeline import run
from idealize.repo.collect import CollectOptions, collect
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex
from idealize.types import Branch, concurrent
from tests.conftest import Repo

HOUR = 3600
T0 = 1_767_225_600  # 2026-01-01


def commit(
    repo: Repo, message: str, when: int, author: str = "a@example.com", authored: int | None = None
) -> str:
    """Commit everything with fixed dates and author."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": author.split("@")[0],
        "GIT_AUTHOR_EMAIL": author,
        "GIT_COMMITTER_NAME": "c",
        "GIT_COMMITTER_EMAIL": "c@example.com",
        "GIT_AUTHOR_DATE": f"@{authored if authored is not None else when} +0000",
        "GIT_COMMITTER_DATE": f"@{when} +0000",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for args in (["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]):
        proc = subprocess.run(
            ["git", *args], cwd=repo.path, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    return repo.git("rev-parse", "HEAD").strip()


def merge(repo: Repo, branch: str, message: str, when: int) -> None:
    env_date = f"@{when} +0000"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@example.com",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@example.com",
        "GIT_AUTHOR_DATE": env_date,
        "GIT_COMMITTER_DATE": env_date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", message, *branch.split()],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def lines(path: Path, since: str) -> tuple[list[Branch], list[tuple[str, str]]]:
    c = collect(Git(path), CollectOptions(since=since), SymbolIndex(Cache(None)))
    return list(c.branches), [(s.what, s.reason) for s in c.skipped]


def base(repo: Repo) -> None:
    repo.write("app/core.py", "def parse(text):\n    return text.strip()\n")
    commit(repo, "base", T0)
    repo.git("tag", "base")


def test_a_linear_history_is_one_line_of_work_per_author_run(repo: Repo) -> None:
    base(repo)
    for n in range(3):
        repo.write(f"app/a{n}.py", f"def a{n}():\n    return {n}\n")
        commit(repo, f"fix parsing step {n}", T0 + (n + 1) * HOUR, "ann@example.com")
    repo.write("app/b.py", "def b():\n    return 1\n")
    commit(repo, "fix the parser", T0 + 5 * HOUR, "bob@example.com")
    repo.write("app/a9.py", "def a9():\n    return 9\n")
    commit(repo, "more", T0 + 6 * HOUR, "ann@example.com")
    branches, _ = lines(repo.path, "base")
    assert [len(b.commits) for b in branches] == [3, 1, 1]
    assert branches[0].name.startswith("commits ")
    # direct commits, written as they landed: none ran in parallel with another
    assert not any(concurrent(a, b) for a in branches for b in branches if a is not b)


def test_squash_prs_pair_within_days_not_years(repo: Repo) -> None:
    base(repo)
    repo.write("app/x.py", "x = 1\n")
    commit(repo, "Add x (#10)", T0 + HOUR)
    repo.write("app/y.py", "y = 1\n")
    commit(repo, "Add y (#11)", T0 + 5 * HOUR)
    repo.write("app/z.py", "z = 1\n")
    commit(repo, "Add z (#12)", T0 + 400 * 24 * HOUR)  # more than a year later
    x, y, z = lines(repo.path, "base")[0]
    assert concurrent(x, y)
    assert not concurrent(x, z) and not concurrent(y, z)


def test_a_pr_landing_after_a_later_numbered_one_was_open_all_along(repo: Repo) -> None:
    base(repo)
    repo.write("app/x.py", "x = 1\n")
    commit(repo, "Add x (#31)", T0 + HOUR)
    repo.write("app/y.py", "y = 1\n")
    commit(repo, "Add y (#30)", T0 + 10 * 24 * HOUR)  # opened before #31 landed, ten days ago
    x, y = lines(repo.path, "base")[0]
    assert concurrent(x, y)


def test_merge_subject_with_a_pr_number_names_the_pr(repo: Repo) -> None:
    base(repo)
    repo.git("checkout", "-q", "-b", "feature/x")
    repo.write("app/x.py", "x = 1\n")
    commit(repo, "x", T0 + HOUR)
    repo.git("checkout", "-q", "main")
    merge(repo, "feature/x", "feat: add x (#1234)", T0 + 2 * HOUR)
    (branch,), _ = lines(repo.path, "base")
    assert branch.name == "#1234"


def test_maintenance_branches_merged_forward_are_not_lines_of_work(repo: Repo) -> None:
    base(repo)
    for n, name in enumerate(("2.3.x", "release/2.4", "stable", "v3-maint", "happy-garden")):
        repo.git("checkout", "-q", "-b", name, "base")
        repo.write(f"app/m{n}.py", f"m = {n}\n")
        commit(repo, f"backport {n}", T0 + HOUR * (n + 1))
        repo.git("checkout", "-q", "main")
        merge(repo, name, f"Merge branch '{name}'", T0 + HOUR * (n + 1) + 60)
    # a branch merged forward twice is long-lived whatever its name
    repo.git("checkout", "-q", "happy-garden")
    repo.write("app/m9.py", "m = 9\n")
    commit(repo, "more", T0 + 20 * HOUR)
    repo.git("checkout", "-q", "main")
    merge(repo, "happy-garden", "Merge branch 'happy-garden'", T0 + 21 * HOUR)
    repo.git("checkout", "-q", "-b", "agent/feature", "base")
    repo.write("app/f.py", "f = 1\n")
    commit(repo, "feature", T0 + 22 * HOUR)
    repo.git("checkout", "-q", "main")
    merge(repo, "agent/feature", "Merge branch 'agent/feature'", T0 + 23 * HOUR)
    branches, skipped = lines(repo.path, "base")
    assert [b.name for b in branches] == ["agent/feature"]
    reasons = " ".join(r for _, r in skipped)
    assert "long-lived branch '2.3.x'" in reasons and "merged 2 times" in reasons


def test_octopus_merge_keeps_every_merged_branch(repo: Repo) -> None:
    base(repo)
    for name in ("one", "two", "three"):
        repo.git("checkout", "-q", "-b", name, "base")
        repo.write(f"app/{name}.py", f"def {name}():\n    return 1\n")
        commit(repo, name, T0 + HOUR)
    repo.git("checkout", "-q", "main")
    merge(repo, "one two three", "Merge branches 'one', 'two' and 'three'", T0 + 2 * HOUR)
    branches, _ = lines(repo.path, "base")
    assert sorted(f.path for b in branches for f in b.files) == [
        "app/one.py",
        "app/three.py",
        "app/two.py",
    ]


def test_a_reverted_pr_and_its_revert_are_not_compared(repo: Repo) -> None:
    base(repo)
    repo.write("app/x.py", "def x():\n    return 1\n")
    first = commit(repo, "Add x (#5)", T0 + HOUR)
    repo.git("rm", "-q", "app/x.py")
    commit(repo, f'Revert "Add x (#5)" (#6)\n\nThis reverts commit {first}.', T0 + 2 * HOUR)
    repo.write("app/y.py", "def y():\n    return 2\n")
    commit(repo, "Add y (#7)", T0 + 3 * HOUR)
    branches, skipped = lines(repo.path, "base")
    assert [b.name for b in branches] == ["#7"]
    assert any("reverted by #6" in why for _, why in skipped)


FIXED = """def parse(text):
    if text is None:
        raise ValueError("empty input: nothing to parse")
    return text.strip()
"""


def test_the_same_patch_on_two_branches_is_no_double_fix(repo: Repo) -> None:
    """A fix cherry-picked to a second branch is one fix, not two."""
    base(repo)
    repo.git("checkout", "-q", "-b", "fix-a")
    repo.write("app/core.py", FIXED)
    fix = commit(repo, "Fix crash on empty input", T0 + HOUR)
    repo.git("checkout", "-q", "-b", "fix-b", "base")
    repo.git("cherry-pick", "-x", fix)
    repo.git("checkout", "-q", "main")
    plan = run(Config(repo=repo.path, branches=("fix-a", "fix-b"), into="main"))
    assert [f for f in plan.findings if f.kind == "double_fix"] == []


def test_a_squash_merged_revert_that_names_only_the_title_is_recognised(repo: Repo) -> None:
    """Roo-Code #11083, `Revert "refactor: replace ..." (#11083)`, said nothing but the
    title of the PR it reverted (#10913); the code #10913 had deleted came back as #11083's
    own new code and was compared as such."""
    base(repo)
    repo.write("app/x.py", "def x():\n    return 1\n")
    commit(repo, "refactor: replace x with y (#5)", T0 + HOUR)
    repo.write("app/z.py", "def z():\n    return 3\n")
    commit(repo, "Add z (#6)", T0 + 2 * HOUR)
    repo.git("rm", "-q", "app/x.py")
    commit(repo, 'Revert "refactor: replace x with y" (#7)', T0 + 3 * HOUR)
    branches, skipped = lines(repo.path, "base")
    assert [b.name for b in branches] == ["#6"]
    assert any("reverted by #7" in why for _, why in skipped), skipped
    assert any("reverts #5" in why for _, why in skipped), skipped
