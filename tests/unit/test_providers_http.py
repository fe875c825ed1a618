"""The anthropic and openai SDKs' real code paths, with an httpx.MockTransport: no network."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2 as httpx  # the SDKs are built on httpx2, the maintained httpx fork
import pytest

from idealize.errors import MissingKey, ProviderError
from idealize.llm.calls import Caller, RetryPolicy
from idealize.llm.providers import Message, Request, make_provider
from idealize.llm.providers.base import TransientError

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


def _anthropic_batch_handler(
    seen: list[httpx.Request], polls: list[int]
) -> Callable[[httpx.Request], httpx.Response]:
    results = (
        "\n".join(
            json.dumps(
                {
                    "custom_id": cid,
                    "result": {
                        "type": "succeeded",
                        "message": {
                            **ANTHROPIC_OK,
                            "content": [{"type": "text", "text": f"answer {cid}"}],
                        },
                    },
                }
            )
            for cid in ("U1-1", "U2-1")
        )
        + "\n"
        + json.dumps(
            {
                "custom_id": "U3-1",
                "result": {
                    "type": "errored",
                    "error": {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "x"},
                    },
                },
            }
        )
    )
    base = {
        "id": "msgbatch_1",
        "type": "message_batch",
        "created_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-01-02T00:00:00Z",
        "request_counts": {
            "processing": 0,
            "succeeded": 2,
            "errored": 1,
            "canceled": 0,
            "expired": 0,
        },
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST" and request.url.path.endswith("/messages/batches"):
            return httpx.Response(
                200, json={**base, "processing_status": "in_progress", "results_url": None}
            )
        if request.url.path.endswith("/results"):
            return httpx.Response(
                200, content=results.encode(), headers={"content-type": "application/x-jsonl"}
            )
        polls.append(1)
        done = len(polls) >= 2
        return httpx.Response(
            200,
            json={
                **base,
                "processing_status": "ended" if done else "in_progress",
                "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"
                if done
                else None,
            },
        )

    return handler


def test_anthropic_message_batches() -> None:
    seen: list[httpx.Request] = []
    polls: list[int] = []
    provider = make_provider(
        "anthropic/claude-sonnet-4-5",
        env={"ANTHROPIC_API_KEY": "k"},
        http_client=httpx.Client(
            transport=httpx.MockTransport(_anthropic_batch_handler(seen, polls))
        ),
    )
    sleeps: list[float] = []
    answers = provider.complete_batch(
        [("U1-1", REQ), ("U2-1", REQ), ("U3-1", REQ)], sleeps.append, 5.0
    )  # type: ignore[attr-defined]
    assert answers["U1-1"].text == "answer U1-1" and answers["U2-1"].input_tokens == 12
    assert isinstance(answers["U3-1"], str) and "errored" in answers["U3-1"]
    assert sleeps == [5.0, 5.0]
    submitted = json.loads(seen[0].content)
    assert [r["custom_id"] for r in submitted["requests"]] == ["U1-1", "U2-1", "U3-1"]
    assert submitted["requests"][0]["params"]["system"] == "be brief"


def test_openai_batch_api() -> None:
    seen: list[httpx.Request] = []
    out_lines = "\n".join(
        json.dumps(
            {
                "custom_id": cid,
                "response": {
                    "status_code": 200,
                    "body": {
                        **OPENAI_OK,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": f"answer {cid}"},
                                "finish_reason": "stop",
                            }
                        ],
                    },
                },
            }
        )
        for cid in ("U1-1", "U2-1")
    )
    state = {"polls": 0}
    batch = {
        "id": "batch_1",
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "input_file_id": "file-in",
        "completion_window": "24h",
        "created_at": 1,
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/files") and request.method == "POST":
            return httpx.Response(
                200,
                json={
                    "id": "file-in",
                    "object": "file",
                    "bytes": 1,
                    "created_at": 1,
                    "filename": "b.jsonl",
                    "purpose": "batch",
                    "status": "processed",
                },
            )
        if path.endswith("/batches") and request.method == "POST":
            return httpx.Response(200, json={**batch, "status": "validating"})
        if path.endswith("/batches/batch_1"):
            state["polls"] += 1
            return httpx.Response(
                200, json={**batch, "status": "completed", "output_file_id": "file-out"}
            )
        if path.endswith("/files/file-out/content"):
            return httpx.Response(200, content=out_lines.encode())
        return httpx.Response(404, json={"error": {"message": path}})

    provider = make_provider(
        "openai/gpt-4o-mini",
        env={"OPENAI_API_KEY": "k"},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    answers = provider.complete_batch([("U1-1", REQ), ("U2-1", REQ)], lambda s: None, 1.0)  # type: ignore[attr-defined]
    assert answers["U1-1"].text == "answer U1-1" and answers["U2-1"].output_tokens == 3
    uploaded = next(r for r in seen if r.url.path.endswith("/files")).content
    assert b'"custom_id": "U1-1"' in uploaded and b"/v1/chat/completions" in uploaded
    assert state["polls"] == 1
