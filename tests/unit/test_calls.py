"""Retries, the response cache and the cost cap, with the scripted provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from idealize.cache import Cache
from idealize.errors import BudgetError, ProviderError
from idealize.llm.calls import Caller, RetryPolicy, request_key
from idealize.llm.providers import Message, Request, ScriptedProvider, TransientError
from idealize.llm.providers.base import Pricing

REQ = Request((Message("user", "hello there"),), max_tokens=100)


def test_retries_transient_errors_with_backoff_then_succeeds() -> None:
    provider = ScriptedProvider(
        [TransientError("429"), TransientError("529 overloaded", retry_after=2.5), "ok"]
    )
    sleeps: list[float] = []
    caller = Caller(provider, None, sleep=sleeps.append)
    assert caller.call(REQ, "t", 10).text == "ok"
    assert len(sleeps) == 2 and sleeps[1] == 2.5 and 0.5 <= sleeps[0] <= 1.0
    assert caller.retries == 2 and caller.calls == 1


def test_gives_up_after_the_attempts() -> None:
    provider = ScriptedProvider([TransientError("500")] * 3)
    caller = Caller(provider, None, retry=RetryPolicy(attempts=3), sleep=lambda s: None)
    with pytest.raises(ProviderError, match="after 3 attempts"):
        caller.call(REQ, "t", 10)


def test_unchanged_rerun_is_served_from_the_cache() -> None:
    cache = Cache(None)
    first = Caller(ScriptedProvider(["answer"]), cache)
    assert first.call(REQ, "t", 10).text == "answer"
    provider = ScriptedProvider([])  # would fail if called
    second = Caller(provider, cache)
    hit = second.call(REQ, "t", 10)
    assert hit.text == "answer" and hit.cached and provider.requests == []
    # a template change or a deliberate repeat (epoch) is a new key
    with pytest.raises(ProviderError):
        Caller(provider, cache, retry=RetryPolicy(attempts=1)).call(REQ, "other-templates", 10)


def test_cost_is_tracked_and_capped() -> None:
    provider = ScriptedProvider(["a", "b"], pricing=Pricing(input=1_000_000.0, output=0.0))
    caller = Caller(provider, None, max_cost=5.0)
    caller.call(REQ, "t", 2)  # 2 words in, ~ $2
    assert caller.cost == pytest.approx(2.0)
    with pytest.raises(BudgetError):
        caller.call(Request((Message("user", "x " * 10),)), "t", 10)


def test_the_cache_key_holds_model_messages_parameters_templates_and_epoch() -> None:
    provider = ScriptedProvider(["x"])
    key = request_key(provider, REQ, "t1", 0)
    assert key == request_key(provider, REQ, "t1", 0)
    other = Request((Message("user", "hello there"),), max_tokens=101)
    assert (
        len(
            {
                key,
                request_key(provider, REQ, "t1", 1),  # a deliberate repeat
                request_key(provider, REQ, "t2", 0),  # another template
                request_key(provider, other, "t1", 0),  # other parameters
                request_key(provider, Request((Message("user", "hello"),)), "t1", 0),
            }
        )
        == 5
    )


def test_a_repeat_is_a_separate_cache_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    provider = ScriptedProvider(["first", "second"])
    caller = Caller(provider, cache)
    assert caller.call(REQ, "t", 10, epoch=0).text == "first"
    assert caller.call(REQ, "t", 10, epoch=0).text == "first"  # served from the cache
    assert caller.call(REQ, "t", 10, epoch=1).text == "second"
    assert len(provider.requests) == 2
    cache.close()


def test_every_retry_is_reported_with_its_reason_and_attempt() -> None:
    provider = ScriptedProvider([TransientError("anthropic answered 529: Overloaded"), "ok"])
    seen: list[tuple[str, int, int]] = []
    caller = Caller(
        provider,
        None,
        retry=RetryPolicy(attempts=4),
        sleep=lambda s: None,
        on_retry=lambda message, attempt, attempts: seen.append((message, attempt, attempts)),
    )
    assert caller.call(REQ, "t", 10).text == "ok"
    assert len(seen) == 1
    message, attempt, attempts = seen[0]
    assert "529: Overloaded" in message and "retrying in" in message
    assert (attempt, attempts) == (2, 4)


def test_the_answer_schema_is_part_of_the_cache_key() -> None:
    from idealize.llm.providers.base import OutputSchema

    provider = ScriptedProvider(["x"])
    with_schema = Request(
        REQ.messages, REQ.max_tokens, schema=OutputSchema.of("answer", {"type": "object"})
    )
    other = Request(
        REQ.messages, REQ.max_tokens, schema=OutputSchema.of("answer", {"type": "array"})
    )
    keys = {request_key(provider, r, "t") for r in (REQ, with_schema, other)}
    assert len(keys) == 3


def test_how_an_answer_was_constrained_survives_the_cache() -> None:
    from idealize.llm.providers.base import OutputSchema

    cache = Cache(None)
    request = Request(
        REQ.messages, REQ.max_tokens, schema=OutputSchema.of("answer", {"type": "object"})
    )
    first = Caller(ScriptedProvider(["{}"], structured=True), cache).call(request, "t", 10)
    again = Caller(ScriptedProvider([]), cache).call(request, "t", 10)
    assert first.structured == again.structured == "scripted" and again.cached


def test_lone_surrogates_in_an_answer_are_made_writable() -> None:
    caller = Caller(ScriptedProvider(["ok \ud800 then"]), None)
    text = caller.call(REQ, "t", 10).text
    assert text.encode("utf-8") and "then" in text
