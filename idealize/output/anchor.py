"""Which tree an output's results point into, and which locations exist there.

SARIF and ``--format github`` put results only where a viewer of the analysed tree can see
them: at locations that exist in that tree, with lines. The analysed tree is the plan's HEAD
(``Location.tree == "head"``), or, when the repository has one of the plan's branches checked
out (a pull-request job that checked out the head and ran ``--branch <head>``), that branch's
tree. Every other location (another branch's tree, or one that is gone) is related
information, never a result location.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from idealize.repo.git import Git
from idealize.types import Finding, Location, Plan


def anchor_commit(plan: Plan, checked_out: str | None) -> str:
    """The commit whose tree results point into."""
    if (
        checked_out
        and checked_out != plan.target_head
        and any(b.head == checked_out for b in plan.branches)
    ):
        return checked_out
    return plan.target_head


def present(loc: Location, plan: Plan, anchor: str) -> bool:
    """Does this location exist, with lines, in the tree at ``anchor``?"""
    if loc.gone or not loc.start_line:
        return False
    if loc.commit is None:
        return loc.tree == "head" and anchor == plan.target_head
    return loc.commit == anchor


def present_locations(f: Finding, plan: Plan, anchor: str) -> list[Location]:
    return [loc for loc in f.locations if present(loc, plan, anchor)]


def uri(path: str) -> str:
    """A repository path as a relative URI reference: percent-encoded (spaces, ``#``, ``%``,
    ``:``, newlines, non-ASCII as UTF-8), ``/`` kept."""
    return quote(path, safe="/")


def where(loc: Location) -> str:
    """``path:12-20`` (``path`` when there are no lines)."""
    text = loc.path
    if loc.start_line:
        text += f":{loc.start_line}"
        if loc.end_line and loc.end_line != loc.start_line:
            text += f"-{loc.end_line}"
    return text


def provenance(loc: Location, head: str = "HEAD") -> str:
    """Where a location comes from, in words: the branch and commit, HEAD, or gone. ``head``
    names the analysed tree (a pull-request job reports into the branch, so HEAD is then
    the target it goes into)."""
    commit = f" at {loc.commit[:10]}" if loc.commit else ""
    if loc.gone:
        return f"gone at HEAD; last seen{commit}" + (f" ({loc.branch})" if loc.branch else "")
    if loc.tree == "head":
        text = "at HEAD" if head == "HEAD" else f"in {head}{commit}"
        if loc.origin is not None:
            origin = Location(
                loc.origin.path, None, loc.origin.start_line, loc.origin.end_line, None
            )
            text += f", brought by {loc.branch or 'the target'} as {where(origin)} at {loc.origin.commit[:10]}"
        return text
    return f"in {loc.branch or 'the target'}{commit}"


def head_name(plan: Plan, anchor: str) -> str:
    """How outputs that point into ``anchor`` call the plan's HEAD tree."""
    return "HEAD" if anchor == plan.target_head else plan.target


@dataclass(frozen=True)
class Target:
    """Where a plan is shown: its repository (for code and paths), the commit checked out
    there (SARIF and annotations point into that tree), and its run folder."""

    root: Path | None = None
    git: Git | None = None
    checked_out: str | None = None
    run_dir: Path | None = None
    candidates: bool = False  # also show (and annotate) candidates, leads below the bar
    everything: bool = False  # every finding, not only the top ones

    @classmethod
    def of(
        cls,
        git: Git | None,
        run_dir: Path | None = None,
        candidates: bool = False,
        everything: bool = False,
    ) -> Target:
        if git is None:
            return cls(run_dir=run_dir, candidates=candidates, everything=everything)
        head = git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return cls(git.root, git, head.decode().strip() or None, run_dir, candidates, everything)


def reported(plan: Plan, candidates: bool = False) -> Plan:
    """The plan with only what outputs report as results: open findings, candidates only
    when asked for (resolved ones and candidates stay in plan.json and markdown)."""
    from dataclasses import replace

    keep = tuple(
        f for f in plan.findings if f.status == "open" and (f.tier == "finding" or candidates)
    )
    return plan if keep == plan.findings else replace(plan, findings=keep)
