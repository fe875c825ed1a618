"""Building small histories for the trust tests: branches, merges and squash merges as
GitHub lands them."""

from __future__ import annotations

from idealize.config import Config
from idealize.pipeline import run
from idealize.types import Plan
from tests.conftest import Repo

# a wrapper around an agent: the mechanism several deprecation tests replace
WRAPPER = """from app.agent import Agent


class DurableAgent:
    def __init__(self, agent):
        self.agent = agent

    def run(self, prompt):
        return self.agent.run(prompt)
"""


def start(repo: Repo, files: dict[str, str]) -> None:
    """The history's first commit, tagged `base`: what every range starts from."""
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("base")
    repo.git("tag", "base")


def branch(
    repo: Repo, name: str, edits: dict[str, str | None], message: str, start: str = "base"
) -> None:
    repo.git("checkout", "-q", "-b", name, start)
    for path, text in edits.items():
        if text is None:
            repo.git("rm", "-q", "-r", path)
        else:
            repo.write(path, text)
    repo.commit(message)
    repo.git("checkout", "-q", "main")


def merge(repo: Repo, *names: str) -> None:
    for name in names:
        repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{name}'", name)


def merge_all(repo: Repo, *names: str) -> Plan:
    merge(repo, *names)
    return run(Config(repo=repo.path, since="base"))


def findings(plan: Plan, kind: str | None = None) -> list[str]:
    return [
        f.title
        for f in plan.findings
        if f.tier == "finding" and f.status == "open" and (kind is None or f.kind == kind)
    ]


def any_tier(plan: Plan, kind: str) -> list[str]:
    """The titles of every finding of ``kind``, whatever its tier or status: a lead or a
    resolved one counts too."""
    return [f.title for f in plan.findings if f.kind == kind]


def squash(repo: Repo, name: str, edits: dict[str, str], message: str) -> None:
    """A pull request squash-merged on GitHub: one commit on main, '(#N)' in its subject."""
    repo.git("checkout", "-q", "-b", name, "main")
    for path, text in edits.items():
        repo.write(path, text)
    repo.commit(message)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", name)
    repo.commit(message)
