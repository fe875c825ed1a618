"""Sample repositories with planted drift, built from ``samples/<name>/sample.toml``.

Each sample lists its base files, its branches (commits as whole files, exact text
edits, deletions and renames) and what it plants (``[[planted]]``) or leaves benign
(``[[benign]]``). One builder lays any sample down in four landing variants:

- ``merge``: every branch merged into main with a merge commit;
- ``squash``: every branch squash-merged as one commit named ``... (#PR)``;
- ``unmerged``: the branches exist, main has moved on by one unrelated commit;
- ``worktree``: each branch in its own worktree under ``.worktrees/``, its last commit
  left uncommitted (new files untracked), as an agent leaves work in progress.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from idealize.config import Config
from idealize.data import data_dir
from idealize.errors import SampleError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VARIANTS = ("merge", "squash", "unmerged", "worktree")
BASE_TAG = "sample-base"
_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z: fixed dates give the same commit ids every build


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class SampleCommit:
    message: str
    files: tuple[tuple[str, str], ...]
    edits: tuple[Edit, ...]
    delete: tuple[str, ...]
    rename: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SampleBranch:
    name: str
    pr: int
    commits: tuple[SampleCommit, ...]


@dataclass(frozen=True)
class PlantedLocation:
    path: str
    symbol: str | None
    branch: str | None  # logical branch name; None for code already on main


Expect = Literal["finding", "candidate", "model"]


@dataclass(frozen=True)
class Planted:
    """Drift planted in a sample. ``expect`` says what the static engine should make of it:
    a verified ``finding``; a ``candidate`` (real drift whose static evidence is weak: the
    model stage confirms it); or ``model`` (nothing lexical connects the pieces: only a
    model reading the code can see it, and ``idealize eval`` measures whether it does)."""

    id: str
    kind: str
    description: str
    locations: tuple[PlantedLocation, ...]
    expect: Expect = "finding"


@dataclass(frozen=True)
class Benign:
    path: str
    branches: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Sample:
    name: str
    language: str
    description: str
    variants: tuple[str, ...]
    base_message: str
    base_files: tuple[tuple[str, str], ...]
    branches: tuple[SampleBranch, ...]
    planted: tuple[Planted, ...]
    benign: tuple[Benign, ...]
    test_command: str | None

    def label(self, branch: str, variant: str) -> str:
        """What idealize calls a branch of this sample in a given landing variant."""
        if variant == "squash":
            pr = next(b.pr for b in self.branches if b.name == branch)
            return f"#{pr}"
        return branch


def samples_dir() -> Path:
    found = data_dir("samples")
    if found is not None:
        return found
    raise SampleError("the samples folder is missing from this installation", "reinstall idealize")


def _commit(raw: dict[str, Any]) -> SampleCommit:
    return SampleCommit(
        message=raw["message"],
        files=tuple(sorted(raw.get("files", {}).items())),
        edits=tuple(Edit(e["path"], e["old"], e["new"]) for e in raw.get("edits", [])),
        delete=tuple(raw.get("delete", [])),
        rename=tuple((r["from"], r["to"]) for r in raw.get("rename", [])),
    )


def _load(path: Path) -> Sample:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Sample(
        name=data["name"],
        language=data["language"],
        description=data["description"].strip(),
        variants=tuple(data.get("variants", VARIANTS)),
        base_message=data["base"]["message"],
        base_files=tuple(sorted(data["base"]["files"].items())),
        branches=tuple(
            SampleBranch(b["name"], int(b["pr"]), tuple(_commit(c) for c in b["commits"]))
            for b in data["branches"]
        ),
        planted=tuple(
            Planted(
                p["id"],
                p["kind"],
                p.get("description", ""),
                tuple(
                    PlantedLocation(loc["path"], loc.get("symbol"), loc.get("branch"))
                    for loc in p["locations"]
                ),
                p.get("expect", "finding"),
            )
            for p in data.get("planted", [])
        ),
        benign=tuple(
            Benign(b["path"], tuple(b["branches"]), b.get("why", ""))
            for b in data.get("benign", [])
        ),
        test_command=data.get("test_command"),
    )


@cache
def load_samples() -> tuple[Sample, ...]:
    root = samples_dir()
    return tuple(_load(p) for p in sorted(root.glob("*/sample.toml")))


def get_sample(name: str) -> Sample:
    for s in load_samples():
        if s.name == name:
            return s
    names = ", ".join(s.name for s in load_samples())
    raise SampleError(f"no sample named {name!r}", f"choose one of: {names}")


class _Builder:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.tick = 0

    def env(self) -> dict[str, str]:
        self.tick += 1
        stamp = f"@{_EPOCH + self.tick * 60} +0000"
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_AUTHOR_NAME": "Sample Agent",
            "GIT_AUTHOR_EMAIL": "agent@example.com",
            "GIT_COMMITTER_NAME": "Sample Agent",
            "GIT_COMMITTER_EMAIL": "agent@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def git(self, *args: str, cwd: Path | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=cwd or self.dest, capture_output=True, text=True, env=self.env()
        )
        if proc.returncode != 0:
            raise SampleError(
                f"building the sample failed at `git {' '.join(args)}`: {proc.stderr.strip()[:300]}"
            )
        return proc.stdout

    def apply(self, commit: SampleCommit, where: Path) -> None:
        for path, text in commit.files:
            target = where / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for edit in commit.edits:
            target = where / edit.path
            text = target.read_text(encoding="utf-8")
            if text.count(edit.old) != 1:
                raise SampleError(
                    f"sample edit of {edit.path} matches {text.count(edit.old)} times: {edit.old[:60]!r}"
                )
            target.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
        for old, new in commit.rename:
            (where / new).parent.mkdir(parents=True, exist_ok=True)
            (where / old).rename(where / new)
        for path in commit.delete:
            (where / path).unlink()

    def commit(self, message: str, where: Path) -> None:
        self.git("add", "-A", cwd=where)
        self.git("commit", "-q", "--no-verify", "-m", message, cwd=where)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")


def build_sample(sample: Sample, dest: Path, variant: str = "merge") -> str:
    """Build ``sample`` at ``dest`` (new or empty); return the `cleanup` options to try."""
    dest = dest.resolve()
    if variant not in VARIANTS:
        raise SampleError(f"unknown variant {variant!r}", f"choose one of: {', '.join(VARIANTS)}")
    if variant not in sample.variants:
        raise SampleError(
            f"{sample.name} has no {variant} variant",
            f"choose one of: {', '.join(sample.variants)}",
        )
    if dest.exists() and any(dest.iterdir()):
        raise SampleError(f"{dest} is not empty", "pass a new or empty folder; nothing was changed")
    if shutil.which("git") is None:
        raise SampleError("git is not installed", "install git")
    dest.mkdir(parents=True, exist_ok=True)
    b = _Builder(dest)
    b.git("init", "-q", "-b", "main")
    for key, value in (
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("user.name", "Sample Agent"),
        ("user.email", "agent@example.com"),
    ):
        b.git("config", key, value)
    b.apply(SampleCommit(sample.base_message, sample.base_files, (), (), ()), dest)
    b.commit(sample.base_message, dest)
    b.git("tag", BASE_TAG)
    if variant == "worktree":
        exclude = dest / ".git" / "info" / "exclude"
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with exclude.open("a", encoding="utf-8") as fh:
            fh.write("/.worktrees/\n")
    for branch in sample.branches:
        if variant == "worktree":
            where = dest / ".worktrees" / _slug(branch.name)
            b.git("worktree", "add", "-q", "-b", branch.name, str(where), BASE_TAG)
            for n, c in enumerate(branch.commits):
                b.apply(c, where)
                if n < len(branch.commits) - 1:
                    b.commit(c.message, where)
        else:
            b.git("checkout", "-q", "-b", branch.name, BASE_TAG)
            for c in branch.commits:
                b.apply(c, dest)
                b.commit(c.message, dest)
    if variant in ("merge", "squash"):
        b.git("checkout", "-q", "main")
        for branch in sample.branches:
            if variant == "merge":
                proc = subprocess.run(
                    [
                        "git",
                        "merge",
                        "-q",
                        "--no-ff",
                        "-m",
                        f"Merge branch '{branch.name}'",
                        branch.name,
                    ],
                    cwd=dest,
                    capture_output=True,
                    text=True,
                    env=b.env(),
                )
            else:
                proc = subprocess.run(
                    ["git", "merge", "-q", "--squash", branch.name],
                    cwd=dest,
                    capture_output=True,
                    text=True,
                    env=b.env(),
                )
                if proc.returncode == 0:
                    b.commit(f"{branch.commits[0].message} (#{branch.pr})", dest)
            if proc.returncode != 0:
                raise SampleError(
                    f"sample {sample.name}: merging {branch.name} conflicts: {proc.stdout.strip()[:200]}"
                )
            if variant == "squash":
                b.git("branch", "-q", "-D", branch.name)
        return f"--since {BASE_TAG}"
    b.git("checkout", "-q", "main")
    readme = dest / "CHANGELOG.md"
    readme.write_text("# Changelog\n\n- Main moved on while the agents worked.\n", encoding="utf-8")
    b.commit("Start a changelog", dest)
    return (
        "--worktrees"
        if variant == "worktree"
        else " ".join(f"--branch {br.name}" for br in sample.branches)
    )


def cleanup_config(sample: Sample, variant: str, repo: Path, **extra: Any) -> Config:
    """The `cleanup` configuration that reads a built sample the way its variant landed."""
    if variant in ("merge", "squash"):
        return Config(repo=repo, since=BASE_TAG, **extra)
    if variant == "worktree":
        return Config(repo=repo, worktrees=True, **extra)
    return Config(repo=repo, branches=tuple(br.name for br in sample.branches), **extra)
