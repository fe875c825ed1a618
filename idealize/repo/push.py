"""What a ``git push`` is pushing, as a pre-push hook is told it.

git runs ``.git/hooks/pre-push REMOTE URL`` with one line per ref on standard input
(``<local ref> <local sha> <remote ref> <remote sha>``). pre-commit
(https://pre-commit.com) reads those lines itself and hands its hooks environment variables
instead: ``PRE_COMMIT_LOCAL_BRANCH`` (the local ref, when run as the hook),
``PRE_COMMIT_FROM_REF`` and ``PRE_COMMIT_TO_REF`` (the range; ``pre-commit run --hook-stage
pre-push --from-ref A --to-ref B`` sets only these), ``PRE_COMMIT_REMOTE_BRANCH``,
``PRE_COMMIT_REMOTE_NAME`` and ``PRE_COMMIT_REMOTE_URL``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from idealize.repo.git import Git

_ZERO = "0" * 40


@dataclass(frozen=True)
class Pushed:
    """The local branches being pushed, and how idealize learnt them."""

    branches: tuple[str, ...]
    source: str  # "git", "pre-commit", or "current branch"


def pushed_branches(stdin: str) -> list[str]:
    """Local branch names from git's pre-push lines; deletions (an all-zero local sha) and
    tags are left out."""
    pushed: list[str] = []
    for line in stdin.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0].startswith("refs/heads/") and set(parts[1]) != {"0"}:
            pushed.append(parts[0].removeprefix("refs/heads/"))
    return list(dict.fromkeys(pushed))


def _branches_at(git: Git, ref: str) -> list[str]:
    """Local branches named by ``ref``: the branch itself, else those whose tip it is."""
    name = ref.removeprefix("refs/heads/")
    if git.run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).strip():
        return [name]
    sha = git.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    sha_text = sha.decode().strip()
    if not sha_text or sha_text == _ZERO:
        return []
    out = git.text(
        "for-each-ref", "--format=%(refname:short)", f"--points-at={sha_text}", "refs/heads/"
    )
    return [line for line in out.splitlines() if line]


def from_pre_commit(git: Git, env: Mapping[str, str]) -> list[str] | None:
    """The branches pre-commit says are pushed, or None when pre-commit said nothing."""
    local = env.get("PRE_COMMIT_LOCAL_BRANCH", "")
    to_ref = env.get("PRE_COMMIT_TO_REF", "")
    if not local and not to_ref:
        return None
    if local.startswith("refs/heads/"):
        return [local.removeprefix("refs/heads/")]
    if local and not local.startswith("refs/"):
        return _branches_at(git, local)
    return _branches_at(git, to_ref) if to_ref else []


def what_is_pushed(git: Git, stdin: str | None, env: Mapping[str, str]) -> Pushed:
    """pre-commit's variables when set, else git's lines on stdin, else the current branch
    (what a plain ``git push`` pushes)."""
    found = from_pre_commit(git, env)
    if found is not None:
        return Pushed(tuple(dict.fromkeys(found)), "pre-commit")
    if stdin:
        return Pushed(tuple(pushed_branches(stdin)), "git")
    current = git.current_branch()
    return Pushed((current,) if current else (), "current branch")
