"""``idealize baseline``: write today's findings to a committed file; later runs report only
new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, display, shown_errors
from idealize.cli.options import ExcludeOpt, IntoOpt
from idealize.cli.run import load


@app.command()
def baseline(
    ctx: typer.Context,
    repo: Annotated[
        Path, typer.Argument(help="The repository (default: the current folder).")
    ] = Path("."),
    since: Annotated[
        str | None,
        typer.Option(
            help="Every branch that landed on the current branch after REF.", metavar="REF"
        ),
    ] = None,
    branch: Annotated[
        list[str] | None,
        typer.Option("--branch", "-b", help="An unmerged branch (repeatable).", metavar="NAME"),
    ] = None,
    into: IntoOpt = None,
    worktrees: Annotated[
        bool, typer.Option(help="Every worktree, uncommitted and untracked work included.")
    ] = False,
    exclude: ExcludeOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="The baseline file (default: .idealize-baseline.json at the repository root).",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Write today's findings to a baseline file; later runs report only new ones.

    Findings are keyed by stable fingerprints (kind and names, not lines). Commit the file:
    later runs (cleanup, the pre-push hook) report and gate on new findings only and say how
    many of the baseline's remain."""
    from idealize.analyze.baseline import DEFAULT_NAME, write_baseline
    from idealize.config import Config
    from idealize.pipeline import run
    from idealize.repo.git import Git

    from .progress import ProgressDisplay

    with shown_errors(ctx):
        git = Git(repo)
        settings = load(repo, into=into, exclude=exclude)
        target = out or git.root / DEFAULT_NAME
        config = Config.from_settings(
            settings,
            repo,
            since=since,
            branches=tuple(branch or ()),
            worktrees=worktrees,
            baseline=None,  # every finding of today, the old baseline's too
        )
        with ProgressDisplay(display(ctx)) as progress:
            plan = run(config, None, progress)
        count = write_baseline(target, plan.findings)
        typer.echo(
            f"idealize: wrote {count} finding(s) to {target}; commit it, and later runs report "
            "only new findings",
            err=True,
        )
