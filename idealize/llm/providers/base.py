"""The provider contract: one request in, one completion out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Request:
    messages: tuple[Message, ...]
    max_tokens: int = 4096
    temperature: float = 0.0


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
    model: str
    stop_reason: str = ""
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Pricing:
    """US dollars per million tokens."""

    input: float
    output: float
    batch_discount: float = 0.5

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

    name: str  # "anthropic", "openai", "litellm", "fake"
    model: str
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
