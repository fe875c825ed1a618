"""The litellm adapter with a stand-in litellm module (the real one is an optional extra)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from idealize.errors import ProviderError
from idealize.llm.calls import Caller
from idealize.llm.providers import Message, Request, make_provider
from idealize.llm.providers.base import TransientError


class _Status(Exception):
    def __init__(self, status_code: int) -> None:
        super().__init__(f"status {status_code}")
        self.status_code = status_code


def test_litellm_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    script: list[Any] = [_Status(429), TimeoutError("slow")]

    def completion(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if script:
            raise script.pop(0)
        message = types.SimpleNamespace(content="hello")
        choice = types.SimpleNamespace(message=message, finish_reason="stop")
        usage = types.SimpleNamespace(prompt_tokens=7, completion_tokens=2)
        return types.SimpleNamespace(choices=[choice], usage=usage, model=kwargs["model"])

    monkeypatch.setitem(sys.modules, "litellm", types.SimpleNamespace(completion=completion))
    provider = make_provider("gemini/gemini-2.5-pro", api_base="http://127.0.0.1:1")
    request = Request((Message("user", "hi"),), max_tokens=20)
    with pytest.raises(TransientError):
        provider.complete(request)
    completion_ = Caller(provider, None, sleep=lambda s: None).call(request, "t", 3)
    assert completion_.text == "hello" and completion_.input_tokens == 7
    assert (
        calls[-1]["model"] == "gemini/gemini-2.5-pro"
        and calls[-1]["api_base"] == "http://127.0.0.1:1"
    )
    script.append(_Status(401))
    with pytest.raises(ProviderError):
        provider.complete(request)


def test_missing_litellm_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)
    with pytest.raises(ProviderError, match="litellm is not installed"):
        make_provider("gemini/gemini-2.5-pro")
