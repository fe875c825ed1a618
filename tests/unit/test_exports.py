"""The public surface, pinned: a change to it is a deliberate change to this test."""

from __future__ import annotations

import idealize
import idealize.cli
import idealize.llm.providers


def test_library_surface() -> None:
    assert idealize.__all__ == ["__version__", "run"]
    from idealize.pipeline import run

    assert idealize.run is run


def test_cli_surface() -> None:
    assert idealize.cli.__all__ == ["app", "main"]
    names = sorted(c.name or c.callback.__name__ for c in idealize.cli.app.registered_commands)  # type: ignore[union-attr]
    groups = sorted(g.name or "" for g in idealize.cli.app.registered_groups)
    assert names == [
        "apply",
        "baseline",
        "cleanup",
        "demo",
        "eval",
        "report",
        "review",
        "version",
    ]
    assert groups == ["config", "hook", "patch", "prompts", "samples"]


def test_provider_surface() -> None:
    assert sorted(idealize.llm.providers.__all__) == sorted(
        [
            "Completion",
            "Message",
            "Provider",
            "Request",
            "ScriptedProvider",
            "TransientError",
            "make_provider",
        ]
    )
