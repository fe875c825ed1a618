"""Where names are mentioned in a tree: one alternation per search (Perl, or extended where
git lacks PCRE) finds the lines hundreds of ``-w -F`` patterns found, in a fraction of the
time (`benchmarks/word_search.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from idealize.analyze.head import TreeView
from idealize.cache import Cache
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex
from tests.conftest import Repo

SOURCE = """import os
from app.store import load_user, $helper

def load_user_later(x):  # load_user in a comment still counts: a mention
    return load_user(x) + $helper(x) + foo$bar
user_loader = 1
load_users = [load_user]
"""
NAMES = ["load_user", "$helper", "foo", "user", "loader", "missing_name"]


def _old_way(git: Git, commit: str, names: list[str]) -> str:
    args = ["grep", "-n", "-w", "-I", "--full-name", "-F"]
    for name in names:
        args += ["-e", name]
    return git.text(*args, commit, "--", "*.py", check=False)


@pytest.mark.parametrize("perl", [True, False], ids=["perl", "extended"])
def test_one_alternation_finds_what_the_fixed_patterns_found(repo: Repo, perl: bool) -> None:
    repo.write("app/user.py", SOURCE)
    repo.write("app/other.py", "x = 1\n")
    repo.write("README.md", "load_user\n")  # not source: not searched
    commit = repo.commit("start")
    git = Git(repo.path)
    if perl and not git.grep_perl:
        pytest.skip("this git has no PCRE: only the extended form runs here")
    git.__dict__["grep_perl"] = perl  # the cached answer, as a git without PCRE gives it
    assert git.grep_words(commit, NAMES, ["*.py"]) == _old_way(git, commit, NAMES)


def test_mentions_are_words_of_the_line(repo: Repo, tmp_path: Path) -> None:
    repo.write("app/user.py", SOURCE)
    commit = repo.commit("start")
    tree = TreeView(Git(repo.path), commit, SymbolIndex(Cache(tmp_path / "cache")))
    found = tree.mentions(["load_user", "$helper", "foo", "missing_name"])
    assert [line for _, line, _ in found["load_user"]] == [2, 4, 5, 7]
    assert [line for _, line, _ in found["$helper"]] == [2, 5]
    assert found["foo"] == []  # `foo$bar` is one name
    assert found["missing_name"] == []


def test_a_tree_works_out_an_answer_once_per_key(repo: Repo, tmp_path: Path) -> None:
    repo.write("app/user.py", SOURCE)
    commit = repo.commit("start")
    tree = TreeView(Git(repo.path), commit, SymbolIndex(Cache(tmp_path / "cache")))
    asked: list[str] = []

    def answer(name: str) -> int:
        asked.append(name)
        return len(tree.mentions([name])[name])

    assert [tree.remember(("uses", n), lambda n=n: answer(n)) for n in NAMES + NAMES] == [
        4,
        2,
        0,
        0,
        0,
        0,
    ] * 2
    assert asked == NAMES  # the second round was remembered
    other = tree.sibling(commit)
    assert other.remember(("uses", "load_user"), lambda: -1) == -1  # each view its own
