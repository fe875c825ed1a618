"""``idealize hook install|pre-push``: check what you push against the other agents' branches."""

from __future__ import annotations

import os
import shlex
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
    remote: Annotated[str | None, typer.Argument(help="Given by git.", metavar="REMOTE")] = None,
    url: Annotated[str | None, typer.Argument(help="Given by git.", metavar="URL")] = None,
    repo: Annotated[Path, typer.Option(help="The repository.")] = Path("."),
    fail_on: FailOnOpt = None,
    min_confidence: MinConfidenceOpt = None,
) -> None:
    """Check the branches being pushed against the other agents' unmerged branches.

    Offline; exit 1 when --fail-on findings (default: phantom_dependency,divergence) involve
    a pushed branch, printing only those and the command that shows the rest. Learns what is
    pushed from pre-commit's PRE_COMMIT_* variables, else from git's lines on stdin, else
    takes the current branch. Honours the baseline and `idealize: ignore` comments."""
    from idealize.analyze.baseline import resolve_baseline
    from idealize.config import Config
    from idealize.output.gate import gated
    from idealize.output.markdown import findings_markdown
    from idealize.pipeline import run
    from idealize.repo.git import Git
    from idealize.repo.push import what_is_pushed

    with shown_errors(ctx):
        git = Git(repo)
        settings = load(
            repo, fail_on=fail_on or "phantom_dependency,divergence", min_confidence=min_confidence
        )
        stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
        pushed = what_is_pushed(git, stdin, os.environ)
        if not pushed.branches:
            return
        into = settings.into or git.default_branch()
        plan = run(
            Config.from_settings(
                settings,
                repo,
                branches=(),
                into=into,
                baseline=resolve_baseline(git.root, settings.baseline),
            )
        )
        gate = gated(plan.findings, settings.fail_on, settings.min_confidence, pushed.branches)
        if not gate:
            return
        names = ", ".join(pushed.branches)
        sys.stderr.write(findings_markdown(replace(plan, findings=tuple(gate)), git.root))
        rest = len(plan.findings) - len(gate)
        where = "" if repo == Path(".") else f" {shlex.quote(str(repo))}"
        see = f"idealize cleanup{where} --into {shlex.quote(into)}"
        typer.echo(
            f"idealize: push blocked: {len(gate)} finding(s) of kind "
            f"{', '.join(sorted({f.kind for f in gate}))} involve {names}.",
            err=True,
        )
        typer.echo(f"idealize: see every finding ({rest} more not blocking): {see}", err=True)
        typer.echo("idealize: push anyway: git push --no-verify", err=True)
        raise typer.Exit(1)
