"""Any other provider through litellm (optional extra: pip install 'idealize[litellm]')."""

from __future__ import annotations

from typing import Any

from idealize.llm.providers._errors import classify
from idealize.llm.providers.base import Completion, Pricing, Request, TransientError


class LiteLLMProvider:
    name = "litellm"

    def __init__(
        self, model: str, api_base: str | None, max_concurrency: int, context_window: int
    ) -> None:
        import litellm

        self._litellm = litellm
        self.model = model
        self._api_base = api_base
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing: Pricing | None = None

    def complete(self, request: Request) -> Completion:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
        }
        if self._api_base:
            kwargs["api_base"] = self._api_base
        try:
            response: Any = self._litellm.completion(**kwargs)
        except (TimeoutError, ConnectionError) as exc:
            raise TransientError(f"litellm: {exc}") from exc
        except Exception as exc:  # litellm re-raises each backend's own errors; sort them by status
            raise classify(exc, "litellm", "the provider's key variable") from exc
        choice = response.choices[0]
        usage = getattr(response, "usage", None)
        return Completion(
            text=choice.message.content or "",
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            model=str(getattr(response, "model", self.model)),
            stop_reason=str(getattr(choice, "finish_reason", "") or ""),
        )
