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
    "model": "claude-sonnet-5-5",
    "content": [{"type": "text", "text": "hello"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 3},
}
OPENAI_OK = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-5.5",
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
        "anthropic/claude-sonnet-5-5",
        {"ANTHROPIC_API_KEY": "sk-ant-test"},
        ANTHROPIC_OK,
    ),
    "openai": ("openai/gpt-5.5", {"OPENAI_API_KEY": "sk-test"}, OPENAI_OK),
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
        make_provider("anthropic/claude-sonnet-5-5", env={})
    with pytest.raises(MissingKey, match="OPENAI_API_KEY"):
        make_provider("openai/gpt-5.5", env={})
    local = make_provider("openai/smollm2", api_base="http://127.0.0.1:9/v1", env={})
    assert local.pricing is not None and local.pricing.input == local.pricing.output == 0.0
    assert local.max_concurrency <= 2
    ollama = make_provider("ollama/llama3.2", env={})
    assert ollama.name == "ollama" and ollama.endpoint == "http://localhost:11434/v1"


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
        "anthropic/claude-sonnet-5-5",
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
        "openai/gpt-5.5",
        env={"OPENAI_API_KEY": "k"},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    answers = provider.complete_batch([("U1-1", REQ), ("U2-1", REQ)], lambda s: None, 1.0)  # type: ignore[attr-defined]
    assert answers["U1-1"].text == "answer U1-1" and answers["U2-1"].output_tokens == 3
    uploaded = next(r for r in seen if r.url.path.endswith("/files")).content
    assert b'"custom_id": "U1-1"' in uploaded and b"/v1/chat/completions" in uploaded
    assert state["polls"] == 1


# -- structured outputs: the request each provider receives and how its answer is read ----

ANSWER = {
    "ideal": "one client",
    "verdicts": [{"finding": "DUP-1", "verdict": "confirmed", "reason": "same URL"}],
    "findings": [],
    "decision": "keep a",
    "steps": ["move callers"],
    "open_questions": [],
    "agents_md": "use a",
}


def _schema_request(max_tokens: int = 600) -> Request:
    from idealize.llm.answers import answer_schema
    from idealize.llm.providers.base import OutputSchema

    return Request(
        REQ.messages, max_tokens, schema=OutputSchema.of("answer", answer_schema(max_tokens))
    )


def _walk(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        found.append(node)
        for v in node.values():
            found += _walk(v)
    elif isinstance(node, list):
        for v in node:
            found += _walk(v)
    return found


def _openai_answer(content: str, finish: str = "stop", **message: object) -> dict[str, object]:
    return {
        **OPENAI_OK,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": finish,
            }
        ],
    }


def test_openai_gets_a_strict_json_schema_and_reasoning_parameters() -> None:
    seen: list[httpx.Request] = []
    provider = make_provider(
        "openai/gpt-5.5",
        env={"OPENAI_API_KEY": "k"},
        http_client=_client([ok(_openai_answer(json.dumps(ANSWER)))], seen),
    )
    completion = provider.complete(_schema_request())
    body = json.loads(seen[0].content)
    assert body["max_completion_tokens"] == 600 and "max_tokens" not in body
    assert "temperature" not in body  # a reasoning model takes only the default
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    objects = [n for n in _walk(schema) if n.get("type") == "object"]
    assert objects and all(
        n["additionalProperties"] is False and n["required"] == list(n["properties"])  # type: ignore[call-overload]
        for n in objects
    )
    nodes = _walk(schema)
    # strict mode rejects maxLength: it moves into the description; maxItems is supported
    assert not [n for n in nodes if "maxLength" in n] and [n for n in nodes if "maxItems" in n]
    assert "{maxLength:" in schema["properties"]["ideal"]["description"]
    assert completion.structured == "json_schema" and json.loads(completion.text) == ANSWER


def test_openai_refusals_and_truncation_are_read_as_such() -> None:
    seen: list[httpx.Request] = []
    provider = make_provider(
        "openai/gpt-5.5",
        env={"OPENAI_API_KEY": "k"},
        http_client=_client(
            [
                ok(_openai_answer("", refusal="I can't help with that.")),
                ok(_openai_answer('{"ideal": "cut', finish="length")),
            ],
            seen,
        ),
    )
    refused = provider.complete(_schema_request())
    assert refused.stop_reason == "refusal" and refused.structured == ""
    cut = provider.complete(_schema_request())
    assert cut.truncated and cut.structured == "json_schema"


def test_a_local_server_that_refuses_json_schema_gets_json_object_with_the_schema() -> None:
    """llama-cpp-python answers 500 to response_format json_schema (FACTS.md); the schema
    then goes as {"type": "json_object", "schema": ...}, bounds kept for its grammar, and
    the next call goes straight to the form that worked."""
    seen: list[httpx.Request] = []
    refusal = lambda r: httpx.Response(  # noqa: E731
        500,
        json={
            "detail": [
                {
                    "loc": ["body", "response_format", "type"],
                    "msg": "Input should be 'text' or 'json_object'",
                }
            ]
        },
    )
    answer = ok(_openai_answer(json.dumps(ANSWER)))
    provider = make_provider(
        "openai/smollm2",
        api_base="http://127.0.0.1:8765/v1",
        env={},
        http_client=_client([refusal, answer, answer], seen),
    )
    first = provider.complete(_schema_request(300))
    second = provider.complete(_schema_request(300))
    bodies = [json.loads(r.content) for r in seen]
    assert [b["response_format"]["type"] for b in bodies] == [
        "json_schema",
        "json_object",
        "json_object",
    ]
    schema = bodies[1]["response_format"]["schema"]
    assert schema["properties"]["ideal"]["maxLength"] <= 300 * 3  # the grammar's bound, fitted
    assert all(b["max_tokens"] == 300 and "max_completion_tokens" not in b for b in bodies)
    assert first.structured == second.structured == "json_object"


def test_ollama_gets_the_schema_through_its_openai_endpoint() -> None:
    seen: list[httpx.Request] = []
    provider = make_provider(
        "ollama/qwen3-coder:8b",
        env={},
        http_client=_client([ok(_openai_answer(json.dumps(ANSWER)))], seen),
    )
    completion = provider.complete(_schema_request())
    body = json.loads(seen[0].content)
    assert str(seen[0].url) == "http://localhost:11434/v1/chat/completions"
    # Ollama maps response_format.json_schema.schema to its `format` (ollama openai/openai.go)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["ideal"]["maxLength"]
    assert body["max_tokens"] == 600 and completion.structured == "json_schema"


def test_anthropic_gets_output_config_with_the_sdk_transformed_schema() -> None:
    seen: list[httpx.Request] = []
    reply = {**ANTHROPIC_OK, "content": [{"type": "text", "text": json.dumps(ANSWER)}]}
    provider = make_provider(
        "anthropic/claude-sonnet-5-5",
        env={"ANTHROPIC_API_KEY": "k"},
        http_client=_client([ok(reply)], seen),
    )
    completion = provider.complete(_schema_request())
    body = json.loads(seen[0].content)
    fmt = body["output_config"]["format"]
    assert fmt["type"] == "json_schema" and "temperature" not in body
    assert not [n for n in _walk(fmt["schema"]) if "maxLength" in n]
    assert "{maxLength:" in json.dumps(fmt["schema"])  # the SDK moved it into descriptions
    assert all(
        n.get("additionalProperties") is False
        for n in _walk(fmt["schema"])
        if n.get("type") == "object"
    )
    assert completion.structured == "output_config" and json.loads(completion.text) == ANSWER


def test_anthropic_without_structured_outputs_falls_back_to_text_once() -> None:
    seen: list[httpx.Request] = []
    reply = ok({**ANTHROPIC_OK, "content": [{"type": "text", "text": "```json\n{}\n```"}]})
    provider = make_provider(
        "anthropic/claude-haiku-5-5",
        env={"ANTHROPIC_API_KEY": "k"},
        http_client=_client(
            [status(400, "output_config.format: not supported for this model"), reply, reply],
            seen,
        ),
    )
    first = provider.complete(_schema_request())
    provider.complete(_schema_request())
    bodies = [json.loads(r.content) for r in seen]
    assert ["output_config" in b for b in bodies] == [True, False, False]
    assert first.structured == ""


def test_the_anthropic_sdks_deprecation_warning_is_not_repeated() -> None:
    import warnings

    from idealize.llm.providers.catalog import shutdowns

    retired = sorted(shutdowns("anthropic"))[0]  # whatever the installed SDK lists
    provider = make_provider(
        f"anthropic/{retired}",
        env={"ANTHROPIC_API_KEY": "k"},
        http_client=_client([ok(ANTHROPIC_OK), ok(ANTHROPIC_OK)], []),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        provider.complete(REQ)
        provider.complete(REQ)
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


# -- unreachable endpoints: one probe, then a clear stop -------------------------------------


def _refused(r: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=r)


@pytest.mark.parametrize(
    ("spec", "api_base", "named"),
    [
        ("ollama/qwen3-coder:8b", "http://127.0.0.1:9/v1", "ollama"),
        ("openai/smollm2", "http://127.0.0.1:9/v1", "openai"),
        ("anthropic/claude-sonnet-5-5", "http://127.0.0.1:9", "anthropic"),
    ],
)
def test_a_refused_connection_names_the_provider_and_the_url(
    spec: str, api_base: str, named: str
) -> None:
    from idealize.errors import Unreachable

    seen: list[httpx.Request] = []
    provider = make_provider(
        spec,
        api_base=api_base,
        env={"ANTHROPIC_API_KEY": "k"},
        http_client=_client([_refused] * 6, seen),
    )
    sleeps: list[float] = []
    with pytest.raises(Unreachable) as info:
        Caller(provider, None, sleep=sleeps.append).call(REQ, "t", 10)
    assert info.value.message.startswith(f"cannot reach {named} at {api_base}")
    assert "connection refused" in info.value.message and info.value.exit_code == 3
    assert len(seen) == 1 and sleeps == []  # no retries, no waiting


def test_a_connection_error_with_a_live_server_is_retried() -> None:
    import socket

    from idealize.llm.calls import RetryPolicy

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        seen: list[httpx.Request] = []
        provider = make_provider(
            "openai/smollm2",
            api_base=f"http://127.0.0.1:{port}/v1",
            env={},
            http_client=_client([_refused, ok(OPENAI_OK)], seen),
        )
        completion = Caller(
            provider, None, retry=RetryPolicy(attempts=3), sleep=lambda s: None
        ).call(REQ, "t", 10)
    assert completion.text == "hello" and len(seen) == 2


def test_the_litellm_adapter_sends_response_format(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    calls: list[dict[str, object]] = []

    def completion(**kwargs: object) -> object:
        calls.append(kwargs)
        message = types.SimpleNamespace(content=json.dumps(ANSWER))
        choice = types.SimpleNamespace(message=message, finish_reason="stop")
        usage = types.SimpleNamespace(prompt_tokens=7, completion_tokens=2)
        return types.SimpleNamespace(choices=[choice], usage=usage, model="gemini-2.5-pro")

    monkeypatch.setitem(sys.modules, "litellm", types.SimpleNamespace(completion=completion))
    provider = make_provider("gemini/gemini-2.5-pro")
    answer = provider.complete(_schema_request())
    fmt = calls[0]["response_format"]
    assert isinstance(fmt, dict) and fmt["type"] == "json_schema" and fmt["json_schema"]["strict"]
    assert answer.structured == "response_format"
