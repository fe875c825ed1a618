"""OpenAI Chat Completions through the official SDK; any OpenAI-compatible server via base_url
(Ollama, vLLM, llama.cpp, LM Studio)."""

from __future__ import annotations

from typing import Any

from ._errors import classify
from .base import Completion, Pricing, Request


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None,
        http_client: Any,
        max_concurrency: int,
        context_window: int,
        pricing: Pricing | None,
    ) -> None:
        import openai

        self._sdk = openai
        kwargs: dict[str, Any] = {"api_key": api_key, "max_retries": 0, "timeout": 600.0}
        if base_url:
            kwargs["base_url"] = base_url
        if http_client is not None:
            kwargs["http_client"] = http_client
        self._client = openai.OpenAI(**kwargs)
        self.model = model
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing = pricing

    def complete(self, request: Request) -> Completion:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=request.max_tokens,
                temperature=request.temperature,
            )
        except self._sdk.OpenAIError as exc:
            raise classify(exc, "openai", "OPENAI_API_KEY") from exc
        except ValueError as exc:
            raise classify(exc, "openai", "OPENAI_API_KEY") from exc
        if not response.choices:
            raise classify(ValueError("no choices in the answer"), "openai", "OPENAI_API_KEY")
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            text=choice.message.content or "",
            input_tokens=int(usage.prompt_tokens if usage else 0),
            output_tokens=int(usage.completion_tokens if usage else 0),
            model=str(response.model or self.model),
            stop_reason=str(choice.finish_reason or ""),
        )
