"""Detector parameters: every threshold and weight is a field with its default and its
reason, so a reader (and ``benchmarks/threshold_sweep.py``) sees why it has that value.

A threshold is a hypothesis. Each one lives here, once, and can be overridden from
configuration (``[tool.idealize.rules.duplicate] threshold = 0.5``) to test another value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from idealize.errors import ConfigError

P = TypeVar("P")


def param(default: Any, reason: str) -> Any:
    """A parameter field: its default and why."""
    return dataclasses.field(default=default, metadata={"reason": reason})


def reasons(params: object) -> dict[str, tuple[Any, str]]:
    """name -> (value, reason) for every field of a parameters object."""
    return {
        f.name: (getattr(params, f.name), str(f.metadata.get("reason", "")))
        for f in dataclasses.fields(params)  # type: ignore[arg-type]
    }


def override(params: P, values: Mapping[str, Any], where: str) -> P:
    """A copy with some values replaced; an unknown name or a wrong type is a ConfigError."""
    known = {f.name: f for f in dataclasses.fields(params)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for name, value in values.items():
        key = name.replace("-", "_")
        if key not in known:
            raise ConfigError(
                f"unknown parameter {name!r} in {where}",
                f"known: {', '.join(sorted(known))}",
            )
        current = getattr(params, key)
        numeric = isinstance(value, (int, float)) and not isinstance(current, bool)
        if not numeric and type(value) is not type(current):
            raise ConfigError(f"{where}.{name} must be a {type(current).__name__}", "fix the value")
        changes[key] = type(current)(value) if isinstance(current, (int, float)) else value
    return dataclasses.replace(params, **changes)  # type: ignore[type-var]
