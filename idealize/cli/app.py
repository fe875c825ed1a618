"""The typer application, its global options, and how errors reach the terminal.

Exit codes: 0 success; 1 findings matched --fail-on; 2 usage or input error;
3 model provider or cost-cap error; 4 a review unit failed (the rest of the plan is written).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import typer

from idealize.errors import IdealizeError

app = typer.Typer(
    name="idealize",
    help="Find and reconcile semantic drift between branches written by parallel AI coding agents.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


@dataclass
class Display:
    """How much the command shows on stderr, from the global options."""

    debug: bool = False
    quiet: bool = False
    verbose: bool = False


def display(ctx: typer.Context) -> Display:
    root = ctx.find_root()
    if not isinstance(root.obj, Display):
        root.obj = Display()
    return root.obj


@contextmanager
def shown_errors(ctx: typer.Context) -> Iterator[None]:
    """An IdealizeError becomes ``error:`` and ``hint:`` lines and its exit code; ``--debug``
    adds the traceback."""
    try:
        yield
    except IdealizeError as exc:
        if display(ctx).debug:
            traceback.print_exc()
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Progress as plain lines, with timings.")
    ] = False,
) -> None:
    """Exit codes: 0 plan written; 1 findings matched --fail-on; 2 usage or input error;
    3 model provider or cost-cap error; 4 plan written but a review unit failed."""
    ctx.obj = Display(debug=debug, quiet=quiet, verbose=verbose)
