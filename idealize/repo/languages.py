"""Which language a path is, and a tree-sitter parser for it (grammar wheels, loaded lazily)."""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".dart": "dart",
}

# module name, attribute holding the language function
_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
    "dart": ("tree_sitter_dart", "language"),
}


def language_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:].lower()) if dot > 0 else None


def family(language: str) -> str:
    """Languages that can call each other's code directly share a family."""
    return {"tsx": "typescript", "javascript": "typescript"}.get(language, language)


@cache
def parser_for(language: str) -> Any:
    """A tree_sitter.Parser for ``language``, or None when its grammar is not installed."""
    spec = _GRAMMARS.get(language)
    if spec is None:
        return None
    try:
        import tree_sitter

        module = importlib.import_module(spec[0])
        lang = tree_sitter.Language(getattr(module, spec[1])())
        return tree_sitter.Parser(lang)
    except (ImportError, AttributeError, ValueError):
        return None


def example_path(path: str) -> bool:
    """Example and demo code by where it lives (`examples/tools/image_generator.py`,
    `docs/examples/`, `cookbook/`, a documentation's own code `docs_src/lifespan/
    tutorial001.py`, `python/samples/02-agents/...`): each one is meant to be read and run
    on its own (on the MCP Python SDK, tutorial steps that each repeat the last one's
    lifespan, judged DEBATABLE; on microsoft/agent-framework, eight findings among its
    samples' toy tools and per-provider scaffolding, none TRUE)."""
    parts = path.lower().split("/")[:-1]
    # `example` alone only at the top: `com/example/` is a Java package, not a demo
    return any(
        part in ("examples", "demos", "cookbook", "docs_src", "samples")
        # a folder of one kind of example: agentscope's `scripts/model_examples/`, one
        # script per vendor and feature, each building its own model (four findings, FALSE)
        or part.endswith(("_examples", "-examples"))
        for part in parts
    ) or (bool(parts) and parts[0] in ("example", "demo", "sample"))


# `testing/`: a folder of fakes and harnesses for tests (on dyad, `distributed_machines/
# testing/`'s fake renderer was matched with the production connection it imitates, FALSE)
_TEST_FOLDERS = frozenset(
    {"tests", "test", "__tests__", "spec", "testdata", "e2e", "testing", "__mocks__"}
)
# `httptest`, `oauthtest`, `testutil`: a Go package of test helpers (not `latest`)
_GO_TEST_PACKAGE = re.compile(r"(?!(?:la|con|grea)test$)\w+test|testutils?|testhelpers?|testing\w*")


def test_path(path: str) -> bool:
    """Test code, fixtures and test data by where they live. Storybook stories are
    fixtures too (on mux, two stories of different features), and so are eval suites
    written as tests (`skill_extraction.eval.ts`, run by the test runner: on gemini-cli, two
    of them shared pasted session fixtures). A folder of one kind of tests is named so too
    (`e2e/`, `e2e-tests/`, `react-tests/`, `integration_tests/`: on cloudflare/agents, e2e
    helpers pasted from test file to test file were findings, judged DEBATABLE). So is a Go
    package named for the tests it serves, as the standard library's `httptest` and
    `fstest` are (on the MCP Go SDK, `internal/oauthtest`'s fake servers were matched with
    each other and with the real handler one of them imitates)."""
    *folders, name = path.lower().split("/")
    return (
        ".stories." in name
        or any(part in _TEST_FOLDERS or part.endswith(("-tests", "_tests")) for part in folders)
        or (
            name.endswith(".go")
            and bool(folders)
            and _GO_TEST_PACKAGE.fullmatch(folders[-1]) is not None
        )
        or name.startswith(("test_", "conftest"))
        or ".test." in name
        or ".eval." in name
        or ".spec." in name
        or name.endswith(("_test.go", "_test.py", "_tests.rs"))
    )
