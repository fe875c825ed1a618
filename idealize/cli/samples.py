"""``idealize samples list|build`` and ``idealize demo``: repositories with planted drift."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import Format

samples_app = typer.Typer(help="Sample repositories with planted drift.", no_args_is_help=True)
app.add_typer(samples_app, name="samples")


@samples_app.command("list")
def samples_list(ctx: typer.Context) -> None:
    """The built-in samples and what they plant."""
    from idealize.evaluate.samples import load_samples

    with shown_errors(ctx):
        for s in load_samples():
            kinds = ", ".join(sorted({p.kind for p in s.planted}))
            typer.echo(f"{s.name:<18} {s.language:<11} {len(s.branches)} branches; plants {kinds}")
            typer.echo(f"{'':<18} {' '.join(s.description.split())}")
            typer.echo(f"{'':<18} variants: {', '.join(s.variants)}")


@samples_app.command("build")
def samples_build(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sample name (see `idealize samples list`).")],
    dest: Annotated[Path, typer.Argument(help="An empty or new folder.")],
    variant: Annotated[str, typer.Option(help="merge, squash, unmerged or worktree.")] = "merge",
) -> None:
    """Build a sample repository with planted drift."""
    from idealize.evaluate.samples import build_sample, get_sample

    with shown_errors(ctx):
        sample = get_sample(name)
        hint = build_sample(sample, dest, variant)
        typer.echo(f"built {name} ({variant}) in {dest}")
        typer.echo(f"try: idealize cleanup {dest} {hint}")


@app.command()
def demo(
    ctx: typer.Context,
    sample: Annotated[str, typer.Option(help="Which sample.")] = "py-model-hub",
    variant: Annotated[str, typer.Option(help="merge, squash, unmerged or worktree.")] = "merge",
    keep: Annotated[
        Path | None, typer.Option(help="Build the sample here and keep it.", metavar="DIR")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.md,
) -> None:
    """Build a sample repository with planted drift and run `cleanup` on it, offline."""
    from idealize.evaluate.samples import build_sample, cleanup_config, get_sample
    from idealize.output.markdown import to_markdown
    from idealize.output.plan_json import to_json
    from idealize.pipeline import run
    from idealize.repo.git import Git

    with shown_errors(ctx):
        s = get_sample(sample)
        with tempfile.TemporaryDirectory(prefix="idealize-demo-") as tmp:
            dest = keep or Path(tmp) / s.name
            build_sample(s, dest, variant)
            typer.echo(
                f"idealize: built sample {s.name} ({variant}) in {dest}; running cleanup offline",
                err=True,
            )
            plan = run(cleanup_config(s, variant, dest))
            root = Git(dest).root
            sys.stdout.write(to_json(plan, root) if fmt is Format.json else to_markdown(plan, root))
