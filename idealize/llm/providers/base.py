"""The provider contract: one request in, one completion out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class OutputSchema:
    """The JSON schema an answer must follow, for providers with structured outputs.

    Kept as compact JSON text (key order kept: a grammar writes keys in that order) so
    requests stay immutable and hashable; each provider adapts it to what its API accepts
    (providers/schemas.py)."""

    name: str
    text: str

    @classmethod
    def of(cls, name: str, schema: dict[str, Any]) -> OutputSchema:
        return cls(name, json.dumps(schema, separators=(",", ":")))

    def schema(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.text)
        return loaded


@dataclass(frozen=True, slots=True)
class Request:
    messages: tuple[Message, ...]
    max_tokens: int = 4096
    temperature: float = 0.0
    schema: OutputSchema | None = None  # ask for structured output where the provider has it


# How an answer was constrained: "" (free text), or the form the provider accepted:
# "json_schema" (OpenAI response_format, strict), "json_object" (llama.cpp-style schema
# grammar), "output_config" (Anthropic), "response_format" (litellm)
Structured = str


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    model: str
    stop_reason: str = ""
    cached: bool = False
    structured: Structured = ""

    @property
    def truncated(self) -> bool:
        """The answer stopped at the output-token cap (its JSON may be cut off)."""
        return self.stop_reason in ("length", "max_tokens", "model_context_window_exceeded")


@dataclass(frozen=True, slots=True)
class Pricing:
    """US dollars per million tokens, and where the figures came from."""

    input: float
    output: float
    batch_discount: float = 0.5
    source: str = ""

    def cost(self, input_tokens: int, output_tokens: int, batch: bool = False) -> float:
        usd = (input_tokens * self.input + output_tokens * self.output) / 1_000_000
        return usd * self.batch_discount if batch else usd


class TransientError(Exception):
    """A failure worth retrying: rate limit, overload, 5xx, timeout, dropped connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Provider(Protocol):
    """What the pipeline needs from a model provider."""

    name: str  # "anthropic", "openai", "ollama", "litellm", "fake"
    model: str
    endpoint: str  # where requests go (named in errors): a URL, or "scripted"
    context_window: int
    max_concurrency: int
    pricing: Pricing | None  # None: unknown, cost reported as 0 and said so

    def complete(self, request: Request) -> Completion:
        """Send one request. Raise TransientError for what a retry may fix, ProviderError otherwise."""
        ...


BatchResult = dict[
    str, "Completion | str"
]  # custom id -> completion, or the error for that request


@runtime_checkable
class BatchProvider(Provider, Protocol):
    """A provider with a batch API (lower price, answers within hours): ``--batch``."""

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> BatchResult:
        """Submit every request in one batch, poll until it ends, return each answer (or the
        error for that request) by custom id."""
        ...
