"""``idealize hook install|pre-push``: check what you push against the other agents' branches."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import FailOnOpt, MinConfidenceOpt
from idealize.cli.run import load

hook_app = typer.Typer(
    help="Git hooks: check what you push against the other agents' branches.", no_args_is_help=True
)
app.add_typer(hook_app, name="hook")

_HOOK = """#!/bin/sh
# installed by `idealize hook install`: offline drift check of the branches being pushed
exec idealize hook pre-push "$@"
"""


@hook_app.command("install")
def hook_install(
    ctx: typer.Context,
    repo: Annotated[Path, typer.Argument(help="The repository.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Replace an existing pre-push hook.")] = False,
) -> None:
    """Install a pre-push hook that runs `idealize hook pre-push`."""
    from idealize.errors import UsageError
    from idealize.repo.git import Git

    with shown_errors(ctx):
        git = Git(repo)
        hooks = Path(git.text("rev-parse", "--git-path", "hooks").strip())
        hooks = hooks if hooks.is_absolute() else git.root / hooks
        target = hooks / "pre-push"
        if target.exists() and not force:
            raise UsageError(
                f"{target} already exists",
                "pass --force to replace it (or call `idealize hook pre-push` from it)",
            )
        hooks.mkdir(parents=True, exist_ok=True)
        target.write_text(_HOOK, encoding="utf-8")
        target.chmod(0o755)
        typer.echo(f"installed {target}")


@hook_app.command("pre-push")
def hook_pre_push(
    ctx: typer.Context,
    remote: Annotated[str | None, typer.Argument(help="Given by git.")] = None,
    url: Annotated[str | None, typer.Argument(help="Given by git.")] = None,
    repo: Annotated[Path, typer.Option(help="The repository.")] = Path("."),
    fail_on: FailOnOpt = None,
    min_confidence: MinConfidenceOpt = None,
) -> None:
    """Read git's pre-push lines on stdin; check each pushed branch against the other local
    branches not yet merged into the target, offline. Exit 1 when --fail-on findings involve it
    (default: phantom_dependency,divergence)."""
    from idealize.config import Config
    from idealize.output.gate import gated
    from idealize.output.markdown import to_markdown
    from idealize.pipeline import run
    from idealize.repo.push import pushed_branches

    with shown_errors(ctx):
        settings = load(
            repo, fail_on=fail_on or "phantom_dependency,divergence", min_confidence=min_confidence
        )
        pushed = pushed_branches(sys.stdin.read())
        if not pushed:
            return
        plan = run(Config(repo=repo, branches=(), into=settings.into))
        gate = gated(plan.findings, settings.fail_on, settings.min_confidence, pushed)
        if gate:
            sys.stderr.write(to_markdown(replace(plan, findings=tuple(gate)), None))
            typer.echo(
                f"idealize: {len(gate)} drift finding(s) involve {', '.join(pushed)}; push with --no-verify to skip",
                err=True,
            )
            raise typer.Exit(1)
