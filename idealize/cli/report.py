"""``idealize report RUN_DIR``: one self-contained HTML page for a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors


@app.command()
def report(
    ctx: typer.Context,
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder (holds plan.json).", metavar="RUN_DIR")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the page (default: RUN_DIR/report.html).", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML page for a run: findings with their code, overlap, reviews."""
    from idealize.errors import UsageError
    from idealize.output.html import report_from_run

    with shown_errors(ctx):
        target = out or run_dir / "report.html"
        page = report_from_run(run_dir)
        try:
            target.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {target}: {exc.strerror}", "pick a writable --out"
            ) from exc
        typer.echo(str(target))
