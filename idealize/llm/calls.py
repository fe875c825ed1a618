"""Calling a provider: retries with backoff (each one reported), a content-keyed response
cache, a cost cap."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from idealize.cache import Cache
from idealize.errors import BudgetError, ProviderError
from idealize.llm.providers.base import Completion, Provider, Request, TransientError
from idealize.types import Usage

RESPONSES = "responses-2"  # 2: answers carry how they were constrained (structured output)
Retried = Callable[[str, int, int], None]  # message, attempt (1-based), attempts


def _silent(message: str, attempt: int, attempts: int) -> None:
    return None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0


def request_key(provider: Provider, request: Request, template_hash: str, epoch: int = 0) -> str:
    """Same model, messages, parameters and templates: same answer, read from the cache."""
    payload = {
        "provider": provider.name,
        "model": provider.model,
        "messages": [[m.role, m.content] for m in request.messages],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "schema": request.schema.text if request.schema else None,
        "templates": template_hash,
        "epoch": epoch,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Caller:
    """Thread-safe: units run in parallel up to the provider's concurrency limit."""

    def __init__(
        self,
        provider: Provider,
        cache: Cache | None,
        max_cost: float | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,
        seed: int = 0,
        on_retry: Retried = _silent,
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.max_cost = max_cost
        self.retry = retry
        self._sleep = sleep or time.sleep  # looked up now, so a test can stub time.sleep
        self._on_retry = on_retry
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self.calls = 0
        self.cache_hits = 0
        self.retries = 0

    def usage(self) -> Usage:
        """Tokens and dollars spent so far."""
        return Usage(self.input_tokens, self.output_tokens, self.cost)

    def estimate(self, input_tokens: int, max_output: int) -> float:
        pricing = self.provider.pricing
        return pricing.cost(input_tokens, max_output) if pricing else 0.0

    def _reserve(self, input_tokens: int, max_output: int) -> None:
        if self.max_cost is None:
            return
        worst = self.estimate(input_tokens, max_output)
        with self._lock:
            if self.cost + worst > self.max_cost:
                raise BudgetError(
                    f"the next call could take the run past --max-cost ${self.max_cost:.2f} "
                    f"(spent ${self.cost:.4f}, next call up to ${worst:.4f})",
                    "raise --max-cost, lower --budget, or run --dry-run to see the estimate",
                )

    def lookup(self, request: Request, template_hash: str, epoch: int = 0) -> Completion | None:
        """The cached answer to this exact request, if any."""
        if self.cache is None:
            return None
        hit = self.cache.get(RESPONSES, request_key(self.provider, request, template_hash, epoch))
        if hit is None:
            return None
        with self._lock:
            self.cache_hits += 1
        return Completion(**{**json.loads(hit), "cached": True})

    def call(
        self, request: Request, template_hash: str, input_tokens: int, epoch: int = 0
    ) -> Completion:
        hit = self.lookup(request, template_hash, epoch)
        if hit is not None:
            return hit
        self._reserve(input_tokens, request.max_tokens)
        completion = self._with_retries(request)
        self.record(request, template_hash, completion, epoch=epoch)
        return completion

    def reserve_batch(self, input_tokens: int, max_output: int) -> None:
        pricing = self.provider.pricing
        if self.max_cost is None or pricing is None:
            return
        worst = pricing.cost(input_tokens, max_output, batch=True)
        with self._lock:
            if self.cost + worst > self.max_cost:
                raise BudgetError(
                    f"the next batch could take the run past --max-cost ${self.max_cost:.2f} "
                    f"(spent ${self.cost:.4f}, batch up to ${worst:.4f})",
                    "raise --max-cost or lower --budget",
                )

    def record(
        self,
        request: Request,
        template_hash: str,
        completion: Completion,
        batch: bool = False,
        epoch: int = 0,
    ) -> None:
        """Count a fresh answer's tokens and cost, and cache it."""
        pricing = self.provider.pricing
        with self._lock:
            self.calls += 1
            self.input_tokens += completion.input_tokens
            self.output_tokens += completion.output_tokens
            if pricing:
                self.cost += pricing.cost(
                    completion.input_tokens, completion.output_tokens, batch=batch
                )
        if self.cache is not None:
            record = {
                "text": completion.text,
                "input_tokens": completion.input_tokens,
                "output_tokens": completion.output_tokens,
                "model": completion.model,
                "stop_reason": completion.stop_reason,
                "structured": completion.structured,
            }
            key = request_key(self.provider, request, template_hash, epoch)
            self.cache.put(RESPONSES, key, json.dumps(record))

    def _with_retries(self, request: Request) -> Completion:
        last: TransientError | None = None
        for attempt in range(self.retry.attempts):
            try:
                completion = self.provider.complete(request)
                # untrusted text: lone surrogates (a JSON "\ud800") cannot be written as UTF-8
                text = completion.text.encode("utf-8", "replace").decode("utf-8")
                return completion if text == completion.text else replace(completion, text=text)
            except TransientError as exc:
                last = exc
                if attempt == self.retry.attempts - 1:
                    break
                delay = min(self.retry.max_delay, self.retry.base_delay * 2**attempt)
                delay = (
                    exc.retry_after
                    if exc.retry_after is not None
                    else delay * (0.5 + self._rng.random() / 2)
                )
                wait = min(delay, self.retry.max_delay)
                with self._lock:
                    self.retries += 1
                self._on_retry(f"{exc} - retrying in {wait:.0f}s", attempt + 2, self.retry.attempts)
                self._sleep(wait)
        raise ProviderError(
            f"{self.provider.name} at {getattr(self.provider, 'endpoint', '?')} kept failing after "
            f"{self.retry.attempts} attempts: {last}",
            "try again later, lower the concurrency, or use another model",
        )
