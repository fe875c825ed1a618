"""Any other provider through litellm (optional extra: pip install 'idealize[litellm]').

Structured output through litellm's ``response_format`` (json_schema, strict), which litellm
maps to each backend's own mechanism (Anthropic's output format, Ollama's ``format``, ...).
A backend that refuses it gets free text from then on.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from idealize.llm.providers._errors import classify, structured_refused
from idealize.llm.providers.base import Completion, Pricing, Request, TransientError
from idealize.llm.providers.schemas import openai_strict


class LiteLLMProvider:
    name = "litellm"

    def __init__(
        self,
        model: str,
        api_base: str | None,
        max_concurrency: int,
        context_window: int,
        pricing: Pricing | None = None,
    ) -> None:
        # litellm fetches its price map from GitHub on import unless told not to
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        self._litellm = litellm
        self.model = model
        self._api_base = api_base
        self.endpoint = api_base or f"litellm:{model.partition('/')[0]}"
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing = pricing
        self._structured = True
        self._lock = threading.Lock()

    def kwargs(self, request: Request, structured: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
        }
        if self._api_base:
            kwargs["api_base"] = self._api_base
        if structured and request.schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema.name,
                    "schema": openai_strict(request.schema.schema()),
                    "strict": True,
                },
            }
        return kwargs

    def complete(self, request: Request) -> Completion:
        while True:
            with self._lock:
                structured = self._structured and request.schema is not None
            try:
                response: Any = self._litellm.completion(**self.kwargs(request, structured))
            except (TimeoutError, ConnectionError) as exc:
                raise TransientError(f"litellm: {exc}") from exc
            except Exception as exc:  # litellm re-raises each backend's own errors; sort them
                if structured and structured_refused(exc):
                    with self._lock:
                        self._structured = False
                    continue
                raise classify(
                    exc, "litellm", "the provider's key variable", self.endpoint
                ) from exc
            choice = response.choices[0]
            usage = getattr(response, "usage", None)
            return Completion(
                text=choice.message.content or "",
                input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                model=str(getattr(response, "model", self.model)),
                stop_reason=str(getattr(choice, "finish_reason", "") or ""),
                structured="response_format" if structured else "",
            )
