"""``idealize config show``: every setting, its value, and where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors

config_app = typer.Typer(
    help="Configuration: [tool.idealize] in pyproject.toml, or idealize.toml.", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    repo: Annotated[Path, typer.Argument(help="The repository.")] = Path("."),
) -> None:
    """Every setting, its value, and where it came from (flag > env > repo file > user file > default)."""
    from idealize.config import load_settings
    from idealize.repo.git import Git

    with shown_errors(ctx):
        settings, origin = load_settings(Git(repo).root)
        for key, value in settings.model_dump().items():
            shown = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else value
            typer.echo(f"{key:<15} = {shown!s:<30} ({origin[key]})")
