"""``idealize report RUN_DIR``: a finished run's plan again, as a page (default) or any format."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import AllOpt, CandidatesOpt, FormatOpt


@app.command()
def report(
    ctx: typer.Context,
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder (holds plan.json).", metavar="RUN_DIR")
    ],
    fmt: FormatOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write it (default: RUN_DIR/report.html for html, else stdout).",
            metavar="FILE",
        ),
    ] = None,
    candidates: CandidatesOpt = False,
    everything: AllOpt = False,
) -> None:
    """Show a finished run's plan again: an HTML page, or any --format.

    The page is self-contained: findings with their code as diffs, patches, usage. The code
    is read from the run's own repository, wherever this command runs."""
    from idealize.errors import UsageError
    from idealize.output.formats import parse_formats, render
    from idealize.output.html import run_target
    from idealize.output.plan_json import load_plan

    with shown_errors(ctx):
        formats = parse_formats(fmt or ()) or ("html",)
        if len(formats) > 1:
            raise UsageError("report writes one format at a time", "pass a single --format")
        plan = load_plan(run_dir / "plan.json")
        target = replace(run_target(run_dir, plan), candidates=candidates, everything=everything)
        text = render(plan, formats[0], target)
        dest = out or (run_dir / "report.html" if formats[0] == "html" else None)
        if dest is None:
            sys.stdout.write(text)
            return
        try:
            if dest.is_dir():
                raise IsADirectoryError(21, "Is a directory")
            dest.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {dest}: {exc.strerror}", "pick a writable --out file"
            ) from exc
        typer.echo(str(dest))
