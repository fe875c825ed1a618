"""A scripted provider for tests and demos: answers come from a list or a function."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence

from idealize.llm.providers.base import Completion, Pricing, Request, TransientError

FAKE_PRICE = Pricing(input=1.0, output=2.0)


class ScriptedProvider:
    """Replays scripted answers in order (or computes them); records every request.

    An answer that is an exception instance is raised instead, to script failures.
    ``structured``: behave like a provider with structured outputs (an answer to a request
    that carries a schema is marked as constrained by it).
    """

    name = "fake"
    endpoint = "scripted"

    def __init__(
        self,
        answers: Sequence[str | Exception] | Callable[[Request], str] = (),
        model: str = "fake-model",
        context_window: int = 32_000,
        max_concurrency: int = 4,
        pricing: Pricing | None = FAKE_PRICE,
        structured: bool = False,
    ) -> None:
        self.model = model
        self.context_window = context_window
        self.max_concurrency = max_concurrency
        self.pricing = pricing
        self.structured = structured
        self._answers = answers
        self._next = 0
        self._lock = threading.Lock()
        self.requests: list[Request] = []

    def complete(self, request: Request) -> Completion:
        with self._lock:
            self.requests.append(request)
            if callable(self._answers):
                answer: str | Exception = self._answers(request)
            else:
                if self._next >= len(self._answers):
                    raise TransientError("the script has no more answers")
                answer = self._answers[self._next]
                self._next += 1
        if isinstance(answer, Exception):
            raise answer
        words = sum(len(m.content.split()) for m in request.messages)
        return Completion(
            answer,
            input_tokens=words,
            output_tokens=len(answer.split()),
            model=self.model,
            stop_reason="end",
            structured="scripted" if self.structured and request.schema is not None else "",
        )


class ScriptedBatchProvider(ScriptedProvider):
    """The scripted provider with a batch API: each submission answers every request at once."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.batches: list[list[str]] = []

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> dict[str, Completion | str]:
        self.batches.append([cid for cid, _ in requests])
        sleep(poll_seconds)
        return {cid: self.complete(r) for cid, r in requests}


_FINDING = re.compile(
    r"^- (?P<id>[A-Z]+-\d+) \((?P<kind>[a-z_]+), confidence [0-9.]+\): (?P<title>.+)$", re.M
)


_RENAMED = re.compile(r"renames `(?P<old>[^`]+)` in `[^`]+` \(now `(?P<new>[^`]+)`\)")
_USE = re.compile(
    r"(?:import|call|reference) in `(?P<path>[^`:]+):\d+` \([^)]*\): `(?P<line>.+)`$", re.M
)


def demo_patch(prompt: str) -> str:
    """Search/replace blocks that move a renamed symbol's users to the new name, from the
    static evidence the prompt shows; NO EDITS otherwise."""
    renames = [
        (m.group("old").rsplit(".", 1)[-1], m.group("new").rsplit(".", 1)[-1])
        for m in _RENAMED.finditer(prompt)
    ]
    blocks: list[str] = []
    seen: set[tuple[str, str]] = set()
    for m in _USE.finditer(prompt):
        path, line = m.group("path"), m.group("line")
        for old, new in renames:
            if re.search(rf"\b{re.escape(old)}\b", line) and (path, line) not in seen:
                seen.add((path, line))
                fixed = re.sub(rf"\b{re.escape(old)}\b", new, line)
                blocks.append(f"{path}\n<<<<<<< SEARCH\n{line}\n=======\n{fixed}\n>>>>>>> REPLACE")
    return "\n\n".join(blocks) if blocks else "NO EDITS"


def demo_answer(request: Request) -> str:
    """A well-formed answer built from what the prompt shows: for demos and tests, not advice."""
    prompt = request.messages[-1].content
    if "## Your task: edits" in prompt:
        return demo_patch(prompt)
    if "step 1 of 2" in prompt:
        return "The ideal keeps one implementation of each concept, owned by one module, and every caller uses it."
    verdicts = [
        {
            "finding": m.group("id"),
            "verdict": "confirmed",
            "reason": "the code shown has it as described",
        }
        for m in _FINDING.finditer(prompt)
    ]
    answer = {
        "ideal": "One canonical implementation per concept, in the module that owns it.",
        "verdicts": verdicts,
        "findings": [],
        "decision": "Keep the first version shown; move the other callers to it.",
        "steps": [
            "Pick the canonical version",
            "Move the callers",
            "Delete the copies",
            "Run the tests",
        ],
        "open_questions": [],
        "agents_md": "Reuse the canonical helpers named in this plan before writing new ones.",
    }
    if request.schema is not None:
        return json.dumps(answer)
    return "```json\n" + json.dumps(answer, indent=2) + "\n```"


def garbage_answer(request: Request) -> str:
    return "I think the code is fine, but maybe rename some things?"
