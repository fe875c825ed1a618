"""``idealize samples list|build`` and ``idealize demo``: repositories with planted drift."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import FormatOpt

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
    from idealize.runfolder import check_folder

    with shown_errors(ctx):
        check_folder(dest, "the destination")
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
        Path | None,
        typer.Option(help="Build the sample in DIR (new or empty) and keep it.", metavar="DIR"),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Build a sample repository with planted drift and run `cleanup` on it, offline."""
    from idealize.evaluate.samples import build_sample, cleanup_config, get_sample
    from idealize.output.anchor import Target
    from idealize.output.formats import parse_formats, render
    from idealize.pipeline import run
    from idealize.repo.git import Git
    from idealize.runfolder import check_folder

    with shown_errors(ctx):
        formats = parse_formats(fmt or ()) or ("md",)
        s = get_sample(sample)
        if keep is not None:
            check_folder(keep, "--keep")
        with tempfile.TemporaryDirectory(prefix="idealize-demo-") as tmp:
            dest = keep or Path(tmp) / s.name
            hint = build_sample(s, dest, variant)
            where = (
                str(dest)
                if keep
                else "a temporary folder (removed afterwards; --keep DIR keeps it)"
            )
            typer.echo(
                f"idealize: built sample {s.name} ({variant}) in {where}; running cleanup offline",
                err=True,
            )
            plan = run(cleanup_config(s, variant, dest))
            sys.stdout.write(render(plan, formats[0], Target.of(Git(dest))))
        if keep is not None:
            typer.echo(f"idealize: try next: idealize cleanup {keep} {hint}", err=True)
            typer.echo(
                f"idealize:           idealize cleanup {keep} {hint} -m fake/demo --patches "
                "(the model stage, with a scripted model)",
                err=True,
            )
        else:
            typer.echo(
                f"idealize: try next: idealize demo --keep DIR, then idealize cleanup DIR {hint}; "
                "or idealize cleanup in your own repository",
                err=True,
            )
