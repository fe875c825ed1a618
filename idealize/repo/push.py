"""What a ``git push`` is pushing, as git's pre-push hook is told it."""

from __future__ import annotations


def pushed_branches(stdin: str) -> list[str]:
    """Local branch names from git's pre-push lines (``<local ref> <local sha> <remote ref>
    <remote sha>``); deletions (an all-zero local sha) and tags are left out."""
    pushed: list[str] = []
    for line in stdin.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0].startswith("refs/heads/") and set(parts[1]) != {"0"}:
            pushed.append(parts[0].removeprefix("refs/heads/"))
    return pushed
