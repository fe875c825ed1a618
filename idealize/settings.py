"""Configuration files and environment: `[tool.idealize]` in pyproject.toml or `idealize.toml`.

Precedence, highest first: command-line flag > environment (IDEALIZE_*) > the repository's
file > the user's file (``$XDG_CONFIG_HOME/idealize/config.toml``) > defaults.
``idealize config show`` prints every value and where it came from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .model import FindingKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class Settings(BaseModel):
    """Every key a configuration file may set. Unknown keys are an error that names them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    api_base: str | None = None
    budget: int | None = Field(default=None, gt=0)
    max_tokens: int = Field(default=4096, gt=0)
    max_cost: float | None = Field(default=None, ge=0)
    variant: str = "idealized"
    prompts: str | None = None
    exclude: tuple[str, ...] = ()
    fail_on: tuple[FindingKind, ...] = ()
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    into: str | None = None  # default target branch for --branch / --worktrees / hooks
    format: Literal["md", "json", "sarif", "html"] = "md"


KEYS = tuple(Settings.model_fields)
_LISTS = {"exclude", "fail_on"}


def user_file(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "idealize" / "config.toml"


def _read(path: Path, table: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "fix the file or remove it") from exc
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror}", "check the file's permissions"
        ) from exc
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [{'.'.join(table)}] is not a table", "write it as a TOML table")
    return {k.replace("-", "_"): v for k, v in data.items()}


def repo_file(root: Path) -> tuple[Path, tuple[str, ...]] | None:
    own = root / "idealize.toml"
    if own.exists():
        return own, ()
    pyproject = root / "pyproject.toml"
    if (
        pyproject.exists()
        and "tool" in _read(pyproject)
        and "idealize" in _read(pyproject, ("tool",))
    ):
        return pyproject, ("tool", "idealize")
    return None


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in KEYS:
        value = env.get(f"IDEALIZE_{key.upper()}")
        if value is None or value == "":
            continue
        found[key] = [v.strip() for v in value.split(",") if v.strip()] if key in _LISTS else value
    return found


def _check(layer: Mapping[str, Any], where: str) -> None:
    for key in layer:
        if key not in KEYS:
            raise ConfigError(f"unknown key {key!r} in {where}", f"known keys: {', '.join(KEYS)}")


def load_settings(
    root: Path, flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, str]]:
    """The merged settings and, for each key, where its value came from."""
    env = os.environ if env is None else env
    layers: list[tuple[str, dict[str, Any]]] = []
    user = user_file(env)
    if user.exists():
        layers.append((str(user), _read(user)))
    found = repo_file(root)
    if found is not None:
        path, table = found
        layers.append((f"{path.name}" + (" [tool.idealize]" if table else ""), _read(path, table)))
    layers.append(("environment", _from_env(env)))
    layers.append(
        (
            "command line",
            {k: v for k, v in (flags or {}).items() if v is not None and v != () and v != []},
        )
    )
    merged: dict[str, Any] = {}
    origin = dict.fromkeys(KEYS, "default")
    for where, layer in layers:
        _check(layer, where)
        for key, value in layer.items():
            merged[key] = value
            origin[key] = where
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(
            f"bad value for {key!r} (from {origin.get(key.split('.')[0], '?')}): {err['msg']}",
            "fix the value",
        ) from exc
    return settings, origin
