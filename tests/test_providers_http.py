"""The anthropic and openai SDKs' real code paths, with an httpx.MockTransport: no network."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2 as httpx  # the SDKs are built on httpx2, the maintained httpx fork
import pytest

from idealize.calls import Caller, RetryPolicy
from idealize.errors import MissingKey, ProviderError
from idealize.providers import Message, Request, make_provider
from idealize.providers.base import TransientError

REQ = Request((Message("system", "be brief"), Message("user", "hi")), max_tokens=50)

ANTHROPIC_OK = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "hello"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 3},
}
OPENAI_OK = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
}

Script = list[Callable[[httpx.Request], httpx.Response]]


def _client(script: Script, seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return script.pop(0)(request)

    return httpx.Client(transport=httpx.MockTransport(handler))


def ok(body: dict[str, object]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda r: httpx.Response(200, json=body)


def status(
    code: int, message: str = "nope", headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    body = {"type": "error", "error": {"type": "x", "message": message}}
    return lambda r: httpx.Response(code, json=body, headers=headers or {})


def raw(text: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda r: httpx.Response(
        200, content=text.encode(), headers={"content-type": "application/json"}
    )


def timeout(r: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=r)


PROVIDERS = {
    "anthropic": (
        "anthropic/claude-sonnet-4-5",
        {"ANTHROPIC_API_KEY": "sk-ant-test"},
        ANTHROPIC_OK,
    ),
    "openai": ("openai/gpt-4o-mini", {"OPENAI_API_KEY": "sk-test"}, OPENAI_OK),
}


def _provider(name: str, script: Script, seen: list[httpx.Request]):  # type: ignore[no-untyped-def]
    spec, env, _ = PROVIDERS[name]
    return make_provider(spec, env=env, http_client=_client(script, seen))


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_success_reads_text_and_usage(name: str) -> None:
    seen: list[httpx.Request] = []
    provider = _provider(name, [ok(PROVIDERS[name][2])], seen)
    completion = provider.complete(REQ)
    assert (
        completion.text == "hello"
        and completion.input_tokens == 12
        and completion.output_tokens == 3
    )
    body = json.loads(seen[0].content)
    if name == "anthropic":
        assert body["system"] == "be brief"
        assert "sk-ant-test" in (
            seen[0].headers.get("x-api-key", "") + seen[0].headers.get("authorization", "")
        )
    else:
        assert body["messages"][0] == {"role": "system", "content": "be brief"}
        assert seen[0].headers["authorization"] == "Bearer sk-test"


@pytest.mark.parametrize("name", sorted(PROVIDERS))
@pytest.mark.parametrize(
    "failure",
    [
        status(429, headers={"retry-after": "1"}),
        status(529, "Overloaded"),
        status(500),
        status(503),
        timeout,
        raw("not json at all"),
        raw('{"id": "msg_1", "conte'),
    ],
    ids=["429", "529-overloaded", "500", "503", "timeout", "malformed", "truncated"],
)
def test_transient_failures_are_retried(
    name: str, failure: Callable[[httpx.Request], httpx.Response]
) -> None:
    seen: list[httpx.Request] = []
    provider = _provider(name, [failure, ok(PROVIDERS[name][2])], seen)
    with pytest.raises(TransientError):
        _provider(name, [failure], []).complete(REQ)
    sleeps: list[float] = []
    completion = Caller(provider, None, sleep=sleeps.append).call(REQ, "t", 10)
    assert completion.text == "hello" and len(seen) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_bad_key_is_not_retried_and_names_the_variable(name: str) -> None:
    seen: list[httpx.Request] = []
    provider = _provider(name, [status(401, "invalid x-api-key")], seen)
    with pytest.raises(ProviderError) as info:
        Caller(provider, None, retry=RetryPolicy(attempts=3), sleep=lambda s: None).call(
            REQ, "t", 10
        )
    assert len(seen) == 1
    assert ("ANTHROPIC_API_KEY" if name == "anthropic" else "OPENAI_API_KEY") in info.value.hint


def test_missing_keys_name_the_variable() -> None:
    with pytest.raises(MissingKey, match="ANTHROPIC_API_KEY"):
        make_provider("anthropic/claude-sonnet-4-5", env={})
    with pytest.raises(MissingKey, match="OPENAI_API_KEY"):
        make_provider("openai/gpt-4o", env={})
    local = make_provider("openai/smollm2", api_base="http://127.0.0.1:9/v1", env={})
    assert local.pricing is None and local.max_concurrency <= 2
    assert make_provider("ollama/llama3.2", env={}).name == "openai"
