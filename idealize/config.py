"""Configuration: the files and environment a run reads, and the resolved ``Config``.

Every command builds its ``Config`` the same way: ``load_settings`` merges, highest
first, command-line flag > environment (IDEALIZE_*) > the repository's file
(``[tool.idealize]`` in pyproject.toml, or ``idealize.toml``) > the user's file
(``$XDG_CONFIG_HOME/idealize/config.toml``) > defaults; then the command turns the
``Settings`` into a ``Config`` for ``pipeline.run``. ``idealize config show`` prints
every value and where it came from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from idealize.errors import ConfigError
from idealize.types import FindingKind

# Files larger than this are kept at hunk level: their symbols are not parsed.
MAX_PARSE_BYTES = 1_000_000
# Units a model reviews by default, the best-ranked first: 20 units are 40 calls with the
# default two-step variant (about $1-2 with a mid-priced model); a 414-branch history has
# ~950 units, which nobody means to pay for by default. --max-units 0 reviews every unit.
DEFAULT_MAX_UNITS = 20

# Gitignore-style patterns kept out of the analysis and the prompts unless `exclude` is set:
# code nobody in the repository wrote (installed or vendored packages, minified bundles, a
# build's output committed beside its source: claude-code-router's `.test-dist/` held 5.7
# of the 6.2 million lines its branches changed).
DEFAULT_EXCLUDE = (
    "node_modules/",
    "vendor/",
    "third_party/",
    "*.min.js",
    "*.min.css",
    "dist/",
    "*-dist/",
)

OutputFormat = Literal["md", "json", "sarif", "html", "github"]
FORMATS: tuple[OutputFormat, ...] = ("md", "json", "sarif", "html", "github")

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
    max_units: int = Field(default=DEFAULT_MAX_UNITS, ge=0)
    # US dollars per million input and output tokens, for a model the catalog cannot price
    price: tuple[float, float] | None = None
    allow_outside_edits: bool = False  # patches may touch files outside their unit
    variant: str = "idealized"
    prompts: str | None = None
    # gitignore-style patterns kept out of the analysis and every prompt: `exclude` replaces
    # the defaults, `extend-exclude` adds to them
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    fail_on: tuple[FindingKind, ...] = ()
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    into: str | None = None  # default target branch for --branch / --worktrees / hooks
    # what a command prints; several (md,sarif) are written into --out
    format: tuple[OutputFormat, ...] = ("md",)
    # the committed file of known findings (default: .idealize-baseline.json, when it exists)
    baseline: str | None = None
    # detector parameters: [tool.idealize.rules.<kind>] name = value (see analyze/params.py)
    rules: dict[str, dict[str, float | int | bool | str]] = Field(default_factory=dict)
    # processes that parse and git reads run at once (default: the cores, at most 4);
    # the plan is the same whatever the number
    workers: int | None = Field(default=None, ge=1, le=64)

    @field_validator("format", mode="before")
    @classmethod
    def _formats(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, (list, tuple)):
            return tuple(dict.fromkeys(value))
        return value

    @property
    def excludes(self) -> tuple[str, ...]:
        """Every exclude pattern in force: ``exclude`` then ``extend-exclude``."""
        return (*self.exclude, *self.extend_exclude)


KEYS = tuple(Settings.model_fields)
_LISTS = {"exclude", "extend_exclude", "fail_on", "format", "price"}


def user_file(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "idealize" / "config.toml"


def _read(path: Path, table: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        data: Any = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "fix the file or remove it") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path} is a folder, not a file", "remove or rename it") from exc
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


@dataclass(frozen=True)
class Config:
    """The resolved configuration of one run: built by a command (or a caller), read by the pipeline."""

    repo: Path = Path(".")
    since: str | None = None
    branches: tuple[str, ...] = ()
    into: str | None = None
    worktrees: bool = False
    model: str | None = None  # None: offline
    api_base: str | None = None
    max_parse_bytes: int = MAX_PARSE_BYTES
    cache_dir: Path | None = None  # None: the default cache folder
    use_cache: bool = True
    # gitignore-style patterns kept out of the analysis and every prompt
    excludes: tuple[str, ...] = field(default_factory=tuple)
    baseline: Path | None = None  # known findings, not reported (analyze/baseline.py)
    # model stage
    variant: str = "idealized"
    prompts_dir: Path | None = None
    budget: int | None = None  # tokens per prompt; None: from the model's context window
    max_tokens: int = 4096  # output tokens per call
    max_cost: float | None = None
    max_units: int = DEFAULT_MAX_UNITS  # units the model reviews, best-ranked first; 0: all
    price: tuple[float, float] | None = None  # US$ per MTok in/out, over the catalog's
    allow_outside_edits: bool = False  # patches may edit files outside their unit
    dry_run: bool = False
    patches: bool = False  # ask for edits that carry out each unit's plan
    verify: str | None = None  # the project's own test command, run in a throwaway worktree
    verify_timeout: float = 600.0
    epoch: int = 0  # a deliberate repeat: part of the response cache key
    batch: bool = False  # send units through the provider's batch API (lower price, slower)
    poll_seconds: float = 30.0
    run_dir: Path | None = None  # where prompts, responses and the plan are recorded
    review: tuple[tuple[str, str | None], ...] = ()  # `idealize review PATH[::SYMBOL]`
    # detector parameter overrides by finding kind (analyze/rules.py validates them)
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    workers: int | None = None  # parallel parses and git reads; None: the cores, at most 4

    @classmethod
    def from_settings(cls, settings: Settings, repo: Path, **fields: Any) -> Config:
        """The run configuration every command builds from the merged settings; ``fields``
        are what the command itself decides (the range, dry run, run folder...)."""
        base: dict[str, Any] = dict(
            repo=repo,
            into=settings.into,
            model=settings.model,
            variant=settings.variant,
            prompts_dir=Path(settings.prompts) if settings.prompts else None,
            budget=settings.budget,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
            max_units=settings.max_units,
            price=settings.price,
            api_base=settings.api_base,
            allow_outside_edits=settings.allow_outside_edits,
            excludes=settings.excludes,
            rules=settings.rules,
            workers=settings.workers,
        )
        base.update(fields)
        return cls(**base)
