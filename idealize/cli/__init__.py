"""The command line: options -> Config -> library -> print. Nothing else lives here.

One module per command group; importing this package registers them all on ``app``.
"""

from __future__ import annotations

import typer

from idealize.cli import (
    baseline,
    evaluate,
    hook,
    patch,
    prompts,
    report,
    run,
    samples,
    settings,
)
from idealize.cli.app import app

__all__ = ["app", "main"]

_COMMANDS = (baseline, evaluate, hook, patch, prompts, report, run, samples, settings)


@app.command()
def version() -> None:
    """Print the version."""
    from idealize.version import __version__

    typer.echo(__version__)


def main() -> None:
    app()
