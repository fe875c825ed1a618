"""The typer application, its global options, and how errors reach the terminal.

Exit codes: 0 success; 1 findings matched --fail-on; 2 usage or input error;
3 model provider or cost-cap error; 4 a review unit failed (the rest of the plan is written);
130, 143, 129 stopped by SIGINT, SIGTERM, SIGHUP (throwaway worktrees removed first).

``-q``, ``-v`` and ``--debug`` work before the subcommand and after it. A usage error
(unknown option, bad value) is one ``error:`` line and a ``hint:``, like every other error.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

import typer
from typer._click.core import Command, Context, Parameter
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from idealize.errors import IdealizeError


@dataclass
class Display:
    """How much the command shows on stderr, from the global options."""

    debug: bool = False
    quiet: bool = False
    verbose: bool = False


def display(ctx: Context) -> Display:
    root = ctx.find_root()
    if not isinstance(root.obj, Display):
        root.obj = Display()
    return root.obj


def _quiet(ctx: typer.Context, value: bool) -> None:
    if value:
        display(ctx).quiet = True


def _verbose(ctx: typer.Context, value: bool) -> None:
    if value:
        display(ctx).verbose = True


def _debug(ctx: typer.Context, value: bool) -> None:
    if value:
        display(ctx).debug = True


_probe = typer.Typer()


@_probe.command()
def _display_probe(
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress output.", callback=_quiet, expose_value=False
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Progress as plain lines, with timings.",
            callback=_verbose,
            expose_value=False,
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show tracebacks.", callback=_debug, expose_value=False),
    ] = False,
) -> None:
    """Only here to have typer build the display options every command gets."""


@cache
def _display_options() -> tuple[Parameter, ...]:
    """``-q``, ``-v`` and ``--debug`` as options of one command, built by typer (so help and
    parsing treat them like the command's own); they set the root's Display. Built once:
    every command shares the same three options (they hold no per-command state)."""
    wanted = {"--quiet", "--verbose", "--debug"}
    return tuple(
        p for p in typer.main.get_command(_probe).params if set(getattr(p, "opts", ())) & wanted
    )


_METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT", "path": "PATH", "bool": ""}


def _tidy_param(param: Parameter, ctx: Context) -> None:
    display_type = getattr(param, "display_type", None)
    if display_type is None:
        return
    if getattr(param, "is_flag", False):
        param.show_default = False  # type: ignore[attr-defined]
        metavar = ""
    elif getattr(param, "param_type_name", "") == "argument":
        param.metavar = param.metavar or (param.name or "value").upper()
        metavar = ""  # its name column already says it
    elif param.metavar is not None:
        metavar = param.metavar
    else:
        label = str(display_type(ctx)).strip("<>")
        label = label[5:-1] if label.startswith("list[") else label
        metavar = _METAVARS.get(label, label.upper())
        param.metavar = metavar
    # typer shows the type in a column of its own: the metavar there, or nothing
    setattr(param, "display_type_rich", lambda ctx, m=metavar: m or None)  # noqa: B010


def _tidy(command: Command) -> None:
    """Help that reads well: a plain metavar for every value (never ``<list[str]>``), none
    and no ``[default: no-x]`` for flags, ``--help`` included."""
    ctx = Context(command)
    for param in command.params:
        _tidy_param(param, ctx)
    make_help = command.get_help_option

    def help_option(ctx: Context) -> Parameter | None:
        option = make_help(ctx)
        if option is not None:
            _tidy_param(option, ctx)
        return option

    setattr(command, "get_help_option", help_option)  # noqa: B010


def _commands(group: Command) -> Iterator[Command]:
    """Every command under a group (typer's groups hold ``commands``), groups included."""
    for command in getattr(group, "commands", {}).values():
        yield command
        yield from _commands(command)


class IdealizeGroup(TyperGroup):
    """The root group: adds the display options to every command and prints usage errors as
    one ``error:`` line with a ``hint:``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy(self)
        for command in _commands(self):
            if not hasattr(command, "commands"):
                names = {n for p in command.params for n in getattr(p, "opts", ())}
                command.params.extend(
                    o for o in _display_options() if not set(getattr(o, "opts", ())) & names
                )
            _tidy(command)

    def get_params(self, ctx: Context) -> list[Parameter]:
        params = super().get_params(ctx)
        for param in params:  # typer adds the completion options after __init__
            _tidy_param(param, ctx)
        return params

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from idealize.repo.throwaway import interruptible

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        _log_to_stderr()
        with interruptible():
            try:
                code = super().main(args, prog_name, complete_var, False, **extra)
            except NoArgsIsHelpError as exc:
                if exc.ctx is not None:
                    typer.echo(exc.ctx.get_help())
                sys.exit(exc.exit_code)
            except UsageError as exc:
                where = exc.ctx.command_path if exc.ctx else "idealize"
                typer.echo(f"error: {exc.format_message()}", err=True)
                typer.echo(f"hint: see `{where} --help`", err=True)
                sys.exit(exc.exit_code)
            except ClickException as exc:
                typer.echo(f"error: {exc.format_message()}", err=True)
                sys.exit(exc.exit_code)
            except typer.Abort:
                typer.echo("aborted", err=True)
                sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class _EchoHandler(logging.Handler):
    """Warnings from the library (a damaged cache moved aside, ...) as ``idealize:`` lines
    on the stderr of the moment (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"idealize: {record.getMessage()}", err=True)


def _log_to_stderr() -> None:
    log = logging.getLogger("idealize")
    if not any(isinstance(h, _EchoHandler) for h in log.handlers):
        log.addHandler(_EchoHandler(logging.WARNING))
        log.propagate = False


app = typer.Typer(
    name="idealize",
    cls=IdealizeGroup,
    help="Find and reconcile semantic drift between branches written by parallel AI coding agents.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help text is markdown: `[tool.idealize]` stays as written
)


@contextmanager
def shown_errors(ctx: Context) -> Iterator[None]:
    """An IdealizeError becomes ``error:`` and ``hint:`` lines and its exit code; ``--debug``
    adds the traceback. SIGINT, SIGTERM and SIGHUP exit 128 + the signal's number."""
    try:
        yield
    except IdealizeError as exc:
        if display(ctx).debug:
            traceback.print_exc()
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        typer.echo(f"interrupted by {'SIGINT' if signum == 2 else exc}", err=True)
        raise typer.Exit(128 + signum) from None


def _version(value: bool) -> None:
    if value:
        from idealize.version import __version__

        typer.echo(f"idealize {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Progress as plain lines, with timings.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Exit codes: 0 plan written; 1 findings matched --fail-on; 2 usage or input error;
    3 model provider or cost-cap error; 4 plan written but a review unit failed."""
    ctx.obj = Display(debug=debug, quiet=quiet, verbose=verbose)
