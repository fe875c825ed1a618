"""Gitignore-style patterns over paths relative to the repository root.

``exclude`` (replacing the defaults) and ``extend-exclude`` (adding to them) hold patterns
matched with ``pathspec`` exactly as git matches a ``.gitignore``: ``build/`` is any folder
named build, ``/top.py`` only at the root, ``**`` spans folders, and ``!pattern`` takes a
path back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import pathspec

from idealize.errors import ConfigError


@dataclass(frozen=True)
class Excluder:
    """Gitignore-style patterns over paths relative to the repository root."""

    patterns: tuple[str, ...] = ()

    @cached_property
    def _spec(self) -> pathspec.GitIgnoreSpec:
        try:
            return pathspec.GitIgnoreSpec.from_lines(self.patterns)
        except (ValueError, TypeError) as exc:  # GitIgnorePatternError is a ValueError
            raise ConfigError(
                f"bad exclude pattern: {exc}",
                "write gitignore-style patterns, e.g. build/ or *.min.js",
            ) from exc

    def check(self) -> Excluder:
        """Compile the patterns now (a bad one is a ConfigError) and return self."""
        _ = self._spec
        return self

    def excluded(self, path: str) -> bool:
        return bool(self.patterns) and self._spec.match_file(path)

    def keep(self, paths: Iterable[str]) -> list[str]:
        return [p for p in paths if not self.excluded(p)]

    @cached_property
    def key(self) -> str:
        """What the patterns are, short: part of the key of what was collected with them."""
        return hashlib.sha1("\n".join(self.patterns).encode()).hexdigest()[:12]
