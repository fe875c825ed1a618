"""Which words are code: the parse tree around each occurrence decides (tree-sitter)."""

from __future__ import annotations

import pytest

from idealize.repo.syntax import code_map

PY = b'''import os

def run(chats, step):
    # chats are read here
    """Run the step."""
    label = f"{chats['chats']} in {step}"
    return os.path.join("chats", label)
'''

TS = b"""const step = 1;
// step by step
const msg = `at ${step}: "step"`;
"""


GO = b"""package env

type legacyRevision struct {
\tVersion int `json:"version"`
}

func latest(r legacyRevision) Version {
	next := legacyRevision{Version: 2}
	return Version(r.Version)
}
"""

TS_FIELDS = b"""interface Server { serverUrl: string }
class Client { serverUrl = ""; }
const options = { serverUrl: url };
const url = client.serverUrl;
"""


@pytest.mark.parametrize(
    ("source", "language", "line", "word", "code"),
    [
        (PY, "python", 3, "chats", True),  # a parameter
        (PY, "python", 4, "chats", False),  # a comment
        (PY, "python", 5, "step", False),  # a docstring
        (PY, "python", 6, "step", True),  # inside an f-string's braces
        (PY, "python", 6, "chats", True),  # one occurrence in code is enough
        (PY, "python", 7, "chats", False),  # a string literal
        (PY, "python", 7, "os", True),
        (PY, "python", 9, "os", False),  # past the end
        (TS, "typescript", 1, "step", True),
        (TS, "typescript", 2, "step", False),
        (TS, "typescript", 3, "step", True),  # ${step}
        (TS, "typescript", 3, "at", False),  # template text
        # a field's name where the field is declared is no use of another thing of that name
        # dagger/container-use: a struct's `Version` field taken for a use of a removed type
        (GO, "go", 4, "Version", False),
        (GO, "go", 7, "Version", True),  # the type
        (GO, "go", 8, "Version", True),  # a keyed element sets the field
        (GO, "go", 9, "Version", True),  # a conversion and a selector
        (TS_FIELDS, "typescript", 1, "serverUrl", False),  # an interface declares it
        (TS_FIELDS, "typescript", 2, "serverUrl", False),  # a class declares it
        (TS_FIELDS, "typescript", 3, "serverUrl", True),  # an object's key sets it
        (TS_FIELDS, "typescript", 4, "serverUrl", True),  # a member read
    ],
)
def test_words_are_code_only_outside_comments_and_strings(
    source: bytes, language: str, line: int, word: str, code: bool
) -> None:
    found = code_map(source, language)
    assert found is not None
    assert found.is_code(line, word) is code


def test_a_string_inside_an_interpolation_is_a_string() -> None:
    # gptme: `{ToolUse("chats", ...)}` inside an f-string was taken for a use of `chats`
    found = code_map(b'x = f"{use(\\"chats\\")}"\ny = f"{use(\'chats\')}"\n', "python")
    assert found is not None
    assert found.is_code(2, "chats") is False
    assert found.is_code(2, "use") is True


def test_no_grammar_gives_no_map() -> None:
    assert code_map(b"step", "cobol") is None


SIGNATURE_TS = b"""export function closeStep(
  state: EventState,
  stepNamespace: string,
  fallback = stepNamespace,
): string {
  const { stepNamespace: ns } = state;
  return state.stepNamespace ?? ns;
}
"""

SIGNATURE_PY = b"""def close_step(state,
               step_namespace: str,
               limit=10):
    return state.step_namespace or limit
"""


@pytest.mark.parametrize(
    ("source", "language", "line", "word", "parameter"),
    [
        (SIGNATURE_TS, "typescript", 3, "stepNamespace", True),  # its own line of a signature
        (SIGNATURE_TS, "typescript", 4, "stepNamespace", False),  # a default value reads it
        (SIGNATURE_TS, "typescript", 6, "stepNamespace", False),  # destructured from a type
        (SIGNATURE_TS, "typescript", 7, "stepNamespace", False),  # a member read
        (SIGNATURE_PY, "python", 2, "step_namespace", True),
        (SIGNATURE_PY, "python", 3, "limit", True),
        (SIGNATURE_PY, "python", 4, "step_namespace", False),
    ],
)
def test_the_name_a_parameter_declares(
    source: bytes, language: str, line: int, word: str, parameter: bool
) -> None:
    """vercel/ai: `stepNamespace: string,` alone on a line of a signature was read as an
    object's key, a use of a removed field of that name."""
    found = code_map(source, language)
    assert found is not None
    assert found.names_parameter(line, word) is parameter
