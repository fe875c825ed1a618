"""Collection: every way in, symbol changes, and what is skipped (and said)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from idealize.cache import Cache
from idealize.errors import EmptyRange, NotAGitRepo, ShallowHistory, UnknownRef, UsageError
from idealize.repo.collect import (
    CollectOptions,
    collect,
    merged_branch_name,
    pr_number,
    symbol_changes,
)
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex, parse_symbols
from idealize.types import Hunk, Symbol
from tests.conftest import Repo, git

BASE = '''"""m"""


def keep(a):
    return a + 1


def change(a):
    return a * 2


def drop(a):
    return a - 1


class Box:
    def open(self):
        return "open"
'''


def _collect(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return collect(Git(path), CollectOptions(**kwargs), SymbolIndex(Cache(None)))  # type: ignore[arg-type]


def _base(repo: Repo) -> None:
    repo.write("m.py", BASE)
    repo.write("README.md", "# r\n")
    repo.commit("base")
    repo.git("tag", "base")


def test_symbol_changes_added_modified_deleted_renamed(repo: Repo) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "feature")
    text = BASE.replace("return a * 2", "return a * 3").replace(
        "def drop(a):\n    return a - 1\n", ""
    )
    text = text.replace("def keep(a):", "def kept(a):") + "\n\ndef extra():\n    return 0\n"
    text = text.replace('        return "open"', '        return "opened"')
    repo.write("m.py", text)
    repo.commit("work")
    col = _collect(repo.path, branches=("feature",), into="main")
    (branch,) = col.branches
    changes = {s.name: s for s in branch.files[0].symbols}
    assert changes["change"].change == "modified"
    assert changes["drop"].change == "deleted"
    assert changes["kept"].change == "renamed" and changes["kept"].renamed_from == "keep"
    assert changes["extra"].change == "added"
    assert changes["Box.open"].change == "modified"
    assert "Box" not in changes  # only its method changed
    assert changes["change"].old_start == 8 and changes["change"].new_start is not None


def test_since_merge_commits_and_back_merges(repo: Repo) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "agent/a")
    repo.write("a.py", "def a():\n    return 1\n")
    repo.commit("add a")
    repo.git("checkout", "-q", "main")
    repo.write("m2.py", "def z():\n    return 2\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "agent/a")
    repo.git("merge", "-q", "--no-edit", "main")  # back-merge of the target
    repo.write("a.py", "def a():\n    return 2\n")
    repo.commit("tweak a")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from someone/agent/a", "agent/a"
    )
    col = _collect(repo.path, since="base")
    names = [b.name for b in col.branches]
    assert names == ["commit " + repo.git("rev-parse", "--short=7", "HEAD~1").strip(), "agent/a"]
    merged = col.branches[1]
    assert [c.subject for c in merged.commits] == ["add a", "tweak a"]
    assert [f.path for f in merged.files] == [
        "a.py"
    ]  # the back-merge brought m2.py; not the branch's work
    assert any("back-merge" in n for n in col.notes)


def test_long_lived_branch_merge_is_skipped_and_said(repo: Repo) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "stable")
    for i in range(3):
        repo.write(f"s{i}.py", f"def s{i}():\n    return {i}\n")
        repo.commit(f"stable fix {i}")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'stable'", "stable")
    with pytest.raises(EmptyRange):
        _collect(repo.path, since="base")
    repo.write("x.py", "def x():\n    return 0\n")
    repo.commit("Add x (#12)")
    col = _collect(repo.path, since="base")
    assert [b.name for b in col.branches] == ["#12"]
    assert any("long-lived" in s.reason for s in col.skipped)


def test_squash_names_by_pr_and_rebase_groups_commits(repo: Repo) -> None:
    _base(repo)
    repo.write("x.py", "def x():\n    return 0\n")
    repo.commit("Add x (#3)")
    repo.write("y.py", "def y():\n    return 0\n")
    repo.commit("First part (#4)")
    repo.write("y.py", "def y():\n    return 1\n")
    repo.commit("Second part (#4)")
    col = _collect(repo.path, since="base")
    assert [b.name for b in col.branches] == ["#3", "#4"]
    assert [c.subject for c in col.branches[1].commits] == ["First part (#4)", "Second part (#4)"]
    assert col.branches[1].kind == "squash"


def test_worktree_includes_uncommitted_and_untracked_but_not_ignored(
    repo: Repo, tmp_path: Path
) -> None:
    _base(repo)
    repo.write(".gitignore", "*.log\n")
    repo.commit("ignore logs")
    wt = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "agent/w", str(wt), "main")
    (wt / "m.py").write_text(BASE.replace("return a * 2", "return a * 4"), encoding="utf-8")
    (wt / "new.py").write_text("def fresh():\n    return 1\n", encoding="utf-8")
    (wt / "debug.log").write_text("noise\n", encoding="utf-8")
    index_before = (repo.path / ".git" / "worktrees" / "wt" / "index").read_bytes()
    col = _collect(repo.path, worktrees=True, into="main")
    (branch,) = col.branches
    assert branch.uncommitted and branch.kind == "worktree"
    assert sorted(f.path for f in branch.files) == ["m.py", "new.py"]
    assert (repo.path / ".git" / "worktrees" / "wt" / "index").read_bytes() == index_before
    assert git(wt, "status", "--porcelain").splitlines() == ["?? new.py", " M m.py"] or sorted(
        git(wt, "status", "--porcelain").splitlines()
    ) == sorted(["?? new.py", " M m.py"])


def test_skipped_files_are_listed_with_reasons(repo: Repo) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "odd")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    repo.write("latin.py", "x = 'caf\xe9'\n".encode("latin-1"))
    repo.write("big.py", "def big():\n" + "    x = 1\n" * 150_000)
    repo.write("conflict.py", "<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> other\n")
    repo.commit("odd files")
    col = collect(
        Git(repo.path),
        CollectOptions(branches=("odd",), into="main", max_parse_bytes=500_000),
        SymbolIndex(Cache(None)),
    )
    reasons = {s.what: s.reason for s in col.skipped}
    assert reasons["logo.png"].startswith("binary")
    assert reasons["latin.py"].startswith("not UTF-8")
    assert reasons["big.py"].startswith("large file")
    assert reasons["conflict.py"].startswith("unresolved conflict")
    assert sorted(f.path for f in col.branches[0].files) == [
        "big.py",
        "conflict.py",
        "latin.py",
        "logo.png",
    ]


def test_blobs_missing_from_the_clone_leave_the_rest_of_the_change_readable(repo: Repo) -> None:
    """A mirror without its largest files, or a partial clone offline: git refuses a diff
    touching a missing blob, and idealize reads the rest of the change instead of stopping."""
    _base(repo)
    repo.git("checkout", "-q", "-b", "assets")
    repo.write("demo.gif", b"GIF89a" + bytes(range(256)) * 40)
    repo.write("gone.py", "def gone():\n    return 1\n")
    repo.write("kept.py", "def kept():\n    return 2\n")
    repo.commit("assets and code")
    for path in ("demo.gif", "gone.py"):
        sha = repo.git("rev-parse", f"assets:{path}").strip()
        (repo.path / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    col = _collect(repo.path, branches=("assets",), into="main")
    files = {f.path: f for f in col.branches[0].files}
    assert sorted(files) == ["demo.gif", "gone.py", "kept.py"]
    assert [s.name for s in files["kept.py"].symbols] == ["kept"]
    reasons = {s.what: s.reason for s in col.skipped}
    assert reasons["gone.py"].startswith("its content is missing from this clone")


def test_excluded_files_are_left_out_before_their_diffs_are_read(repo: Repo) -> None:
    """A build's output committed beside the source is dropped from each branch's diff
    before the patch is split into hunks, listed as skipped; the rest is read as before.
    What was collected with other patterns is not read back from the cache."""
    _base(repo)
    repo.git("checkout", "-q", "-b", "built")
    repo.write(".test-dist/m.test.js", "function t() {\n  return 1;\n}\n" * 50)
    repo.write("kept.py", "def kept():\n    return 2\n")
    repo.commit("code and its build")
    store = Cache(repo.path / ".cache")
    collected = {}
    for patterns in (("*-dist/",), ()):
        col = collect(
            Git(repo.path),
            CollectOptions(branches=("built",), into="main", exclude=patterns),
            SymbolIndex(store),
        )
        collected[patterns] = col
    out = collected[("*-dist/",)]
    assert [f.path for f in out.branches[0].files] == ["kept.py"]
    assert {s.what: s.reason for s in out.skipped}[".test-dist/m.test.js"] == (
        "excluded by the configuration"
    )
    both = collected[()]
    assert sorted(f.path for f in both.branches[0].files) == [".test-dist/m.test.js", "kept.py"]


def test_submodule_pointer_is_skipped(repo: Repo, tmp_path: Path) -> None:
    _base(repo)
    sub = Repo(tmp_path / "sub")
    sub.write("s.py", "x = 1\n")
    sha = sub.commit("sub")
    repo.git("checkout", "-q", "-b", "sm")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/sub")
    repo.git("commit", "-q", "-m", "add submodule")
    col = _collect(repo.path, branches=("sm",), into="main")
    assert any(s.what == "vendor/sub" and s.reason.startswith("submodule") for s in col.skipped)


def test_bad_input_errors(repo: Repo, tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepo):
        Git(tmp_path / "nowhere")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotAGitRepo):
        Git(plain)
    _base(repo)
    with pytest.raises(UnknownRef):
        _collect(repo.path, since="no-such-ref")
    with pytest.raises(EmptyRange):
        _collect(repo.path, since="HEAD")
    with pytest.raises(UsageError):
        _collect(repo.path, since="base", worktrees=True)
    repo.git("branch", "empty")
    with pytest.raises(EmptyRange):
        _collect(repo.path, branches=("empty",), into="main")


def test_shallow_clone_missing_history(repo: Repo, tmp_path: Path) -> None:
    _base(repo)
    for i in range(3):
        repo.write(f"f{i}.py", f"x = {i}\n")
        repo.commit(f"c{i}")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True
    )
    with pytest.raises(ShallowHistory):
        _collect(clone, since="HEAD~2")


def test_rerun_parses_nothing_it_parsed_before(repo: Repo, tmp_path: Path) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "f")
    repo.write("m.py", BASE.replace("a * 2", "a * 5"))
    repo.commit("f")
    cache_dir = tmp_path / "c"
    first = SymbolIndex(Cache(cache_dir))
    collect(Git(repo.path), CollectOptions(branches=("f",), into="main"), first)
    assert first.parsed == 2
    second = SymbolIndex(Cache(cache_dir))
    collect(Git(repo.path), CollectOptions(branches=("f",), into="main"), second)
    assert second.parsed == 0


def test_names_from_merge_subjects() -> None:
    assert merged_branch_name("Merge pull request #12 from org/agent/x") == "agent/x"
    assert merged_branch_name("Merge branch 'feat/y' into main") == "feat/y"
    assert pr_number("Add thing (#123)") == 123
    assert pr_number("Add thing") is None


def test_symbol_changes_ignore_untouched_definitions() -> None:
    old = parse_symbols(b"def a():\n    return 1\n\n\ndef b():\n    return 2\n", "python")
    new = parse_symbols(b"def a():\n    return 1\n\n\ndef b():\n    return 3\n", "python")
    changes = symbol_changes(old, new, [Hunk(6, 1, 6, 1, ("    return 2",), ("    return 3",))])
    assert [(c.name, c.change) for c in changes] == [("b", "modified")]
    assert isinstance(old[0], Symbol)


def test_a_few_branches_are_parsed_without_forking_workers(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre-commit run or a range of a few branches touches a handful of files: they are
    parsed in this process, since forking workers costs more than it saves for them."""
    import idealize.repo.symbols as symbols

    _base(repo)
    for name in ("agent/a", "agent/b"):
        repo.git("checkout", "-q", "-b", name, "base")
        repo.write(f"{name[-1]}.py", f"def {name[-1]}():\n    return 1\n")
        repo.commit(f"add {name}")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{name}'", name)

    def no_fork(method: str) -> None:
        raise AssertionError(f"a {method} pool was made for a handful of files")

    monkeypatch.setattr(symbols.multiprocessing, "get_context", no_fork)
    index = SymbolIndex(Cache(None), workers=2)
    col = collect(Git(repo.path), CollectOptions(since="base"), index)
    assert sorted(s.name for b in col.branches for f in b.files for s in f.symbols) == ["a", "b"]
    assert index.parsed >= 2
