"""Why a branch changed a piece of code, read from the commits that wrote its lines.

A branch of ten commits where one says "fix" does not make every symbol it touched a fix:
only the commits whose added lines are in the piece speak for it. Their subjects are read
first (a squash commit's subject is the PR title); bodies (a squash commit's body lists the
original commits) and added comments only count as weak intent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from idealize.repo.git import CommitLines, Git, commit_lines
from idealize.types import Branch

# conventional-commit `fix:` / `fix(scope):`, or a word that only a fix uses
STRONG_FIX = re.compile(
    r"^\s*(?:\W+\s*)?(fix|hotfix|bugfix)(\([^)]*\))?!?:|"
    r"\b(fix(es|ed|ing)?|bug(s|fix)?|hotfix|crash(es|ed|ing)?|regression|broken|typo)\b",
    re.IGNORECASE,
)
# words features use too ("handle errors", "prevent duplicates"): not enough alone
WEAK_FIX = re.compile(
    r"\b(handle[sd]?|avoid|prevent|guard|correct(s|ed)?|repair|workaround|wrong|"
    r"fail(s|ing|ure)?|race|leak|flak(y|es))\b",
    re.IGNORECASE,
)
_FEATURE = re.compile(
    r"^\s*(?:\W+\s*)?(feat|feature|refactor|docs|chore|test|ci|perf|build)(\([^)]*\))?!?:", re.I
)

Level = Literal["strong", "weak", "none"]


@dataclass(frozen=True)
class Intent:
    level: Level
    commits: tuple[CommitLines, ...]  # the commits that wrote the piece's lines

    @property
    def said(self) -> str:
        subjects = [c.subject for c in self.commits[:2]]
        return " / ".join(f"\u201c{s}\u201d" for s in subjects) or "uncommitted work"


def level_of(subject: str, body: str = "", comments: str = "") -> Level:
    if subject.lstrip().startswith(("Revert ", "revert:", "Revert:")):
        return "none"  # undoing a change fixes nothing of its own
    if _FEATURE.match(subject) and not STRONG_FIX.search(subject.split(":", 1)[-1]):
        return "weak" if WEAK_FIX.search(subject) else "none"
    if STRONG_FIX.search(subject):
        return "strong"
    said = f"{body}\n{comments}"
    if WEAK_FIX.search(subject) or STRONG_FIX.search(said) or WEAK_FIX.search(comments):
        return "weak"
    return "none"


class Intents:
    """Per (branch, path): the commits and the lines they added, read once when asked."""

    def __init__(self, git: Git, branches: Sequence[Branch]) -> None:
        self._git = git
        self._branches = {b.name: b for b in branches}
        self._memo: dict[tuple[str, str], list[CommitLines]] = {}

    def _commits(self, branch: Branch, path: str) -> list[CommitLines]:
        key = (branch.name, path)
        if key not in self._memo:
            if len(branch.commits) == 1 and not branch.uncommitted:
                c = branch.commits[0]
                self._memo[key] = [CommitLines(c.sha, c.subject, c.body, ())]
            elif branch.commits:
                # a worktree's head is a snapshot tree: its commits end at the last commit
                last = branch.commits[-1].sha if branch.uncommitted else branch.head
                self._memo[key] = commit_lines(self._git, branch.base, last, path)
            else:
                self._memo[key] = []
        return self._memo[key]

    def of(self, branch_name: str | None, path: str, added_text: str) -> Intent:
        """The intent of the commits that wrote ``added_text`` in ``path`` on the branch."""
        branch = self._branches.get(branch_name or "")
        if branch is None:
            return Intent("none", ())
        commits = self._commits(branch, path)
        wanted = {" ".join(line.split()) for line in added_text.splitlines() if line.strip()}
        if len(commits) == 1 and not commits[0].added:
            writers = commits
        else:
            writers = [
                c for c in commits if wanted & {" ".join(x.split()) for x in c.added if x.strip()}
            ]
        comments = " ".join(
            line.split("#", 1)[-1] if "#" in line else line.split("//", 1)[-1]
            for line in added_text.splitlines()
            if "#" in line or "//" in line
        )
        # lines no commit wrote are uncommitted work: only their comments speak for them
        levels = [level_of(c.subject, c.body, comments) for c in writers] or [
            level_of("", "", comments)
        ]
        best: Level = "strong" if "strong" in levels else "weak" if "weak" in levels else "none"
        return Intent(best, tuple(writers))
