"""Anthropic Messages API through the official SDK (imported when this provider is built)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from idealize.llm.providers._errors import classify, client_options
from idealize.llm.providers.base import BatchResult, Completion, Pricing, Request
from idealize.llm.providers.catalog import price_of


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None,
        http_client: Any,
        max_concurrency: int,
        context_window: int,
    ) -> None:
        import anthropic

        self._sdk = anthropic
        self._client: Any = anthropic.Anthropic(**client_options(api_key, base_url, http_client))
        self.model = model
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing: Pricing | None = price_of(model)

    def _params(self, request: Request) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        messages = [
            {"role": m.role, "content": m.content} for m in request.messages if m.role != "system"
        ]
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": messages,
        }
        if system:
            params["system"] = system
        return params

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> BatchResult:
        """Message Batches API: half price, answered within 24 hours."""
        try:
            batch = self._client.messages.batches.create(
                requests=[{"custom_id": cid, "params": self._params(r)} for cid, r in requests]
            )
            while batch.processing_status != "ended":
                sleep(poll_seconds)
                batch = self._client.messages.batches.retrieve(batch.id)
            results: BatchResult = {}
            for item in self._client.messages.batches.results(batch.id):
                result = item.result
                if result.type == "succeeded":
                    message = result.message
                    results[item.custom_id] = Completion(
                        text="".join(getattr(b, "text", "") for b in message.content),
                        input_tokens=int(message.usage.input_tokens or 0),
                        output_tokens=int(message.usage.output_tokens or 0),
                        model=str(message.model),
                        stop_reason=str(message.stop_reason or ""),
                    )
                else:
                    results[item.custom_id] = f"batch request {result.type}"
            return results
        except self._sdk.AnthropicError as exc:
            raise classify(exc, "anthropic", "ANTHROPIC_API_KEY") from exc

    def complete(self, request: Request) -> Completion:
        # current Claude models choose their own sampling: the SDK takes no temperature
        kwargs = self._params(request)
        try:
            response = self._client.messages.create(**kwargs)
        except self._sdk.AnthropicError as exc:
            raise classify(exc, "anthropic", "ANTHROPIC_API_KEY") from exc
        except ValueError as exc:  # a body that is not JSON
            raise classify(exc, "anthropic", "ANTHROPIC_API_KEY") from exc
        text = "".join(getattr(block, "text", "") for block in response.content)
        usage = response.usage
        return Completion(
            text=text,
            input_tokens=int(usage.input_tokens or 0),
            output_tokens=int(usage.output_tokens or 0),
            model=str(response.model),
            stop_reason=str(response.stop_reason or ""),
        )
