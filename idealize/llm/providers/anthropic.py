"""Anthropic Messages API through the official SDK (imported when this provider is built).

Structured output: ``output_config={"format": {"type": "json_schema", "schema": S}}`` with
the schema passed through the SDK's own ``anthropic.transform_schema`` (it moves the bounds
the API rejects into the description). A 400 that names the output format (a model without
structured outputs) makes the provider send free text from then on.

No sampling parameters: the SDK takes no temperature, and current models choose their own.
The SDK's DeprecationWarning for retired models is silenced: idealize warns once, in one
line, before the run (providers/catalog.py).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

from idealize.llm.providers._errors import classify, client_options, structured_refused
from idealize.llm.providers.base import BatchResult, Completion, Pricing, Request

ANTHROPIC_URL = "https://api.anthropic.com"
KEY_VAR = "ANTHROPIC_API_KEY"

_DEPRECATED = r"The model '.*' is deprecated"


def _quietly(call: Callable[..., Any], **kwargs: Any) -> Any:
    """The SDK warns on every call to a deprecated model (23 times in one test run);
    idealize has already said so once, in one line."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_DEPRECATED, category=DeprecationWarning)
        return call(**kwargs)


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
        pricing: Pricing | None,
    ) -> None:
        import anthropic

        self._sdk = anthropic
        self._client: Any = anthropic.Anthropic(**client_options(api_key, base_url, http_client))
        self.model = model
        self.endpoint = (base_url or ANTHROPIC_URL).rstrip("/")
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing = pricing
        self._structured = True
        self._lock = threading.Lock()

    def params(self, request: Request, structured: bool = True) -> dict[str, Any]:
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
        if structured and request.schema is not None:
            params["output_config"] = {
                "format": {
                    "type": "json_schema",
                    "schema": self._sdk.transform_schema(request.schema.schema()),
                }
            }
        return params

    def _classified(self, exc: BaseException) -> Exception:
        return classify(exc, "anthropic", KEY_VAR, self.endpoint)

    def complete(self, request: Request) -> Completion:
        while True:
            with self._lock:
                structured = self._structured and request.schema is not None
            try:
                response = _quietly(
                    self._client.messages.create, **self.params(request, structured)
                )
            except self._sdk.AnthropicError as exc:
                if structured and structured_refused(exc):
                    with self._lock:
                        self._structured = False
                    continue
                raise self._classified(exc) from exc
            except (ValueError, RecursionError) as exc:  # a body that is not JSON
                raise self._classified(exc) from exc
            return self._completion(response, structured)

    def _completion(self, message: Any, structured: bool) -> Completion:
        # the JSON of a structured answer is in the text blocks; a refusal has none
        text = "".join(getattr(b, "text", "") for b in message.content if b.type == "text")
        usage = message.usage
        stop = str(message.stop_reason or "")
        return Completion(
            text=text,
            input_tokens=int(usage.input_tokens or 0),
            output_tokens=int(usage.output_tokens or 0),
            model=str(message.model),
            stop_reason=stop,
            structured="output_config" if structured and stop != "refusal" else "",
        )

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> BatchResult:
        """Message Batches API: half price, answered within 24 hours."""
        with self._lock:
            structured = self._structured
        try:
            batch = _quietly(
                self._client.messages.batches.create,
                requests=[
                    {"custom_id": cid, "params": self.params(r, structured)} for cid, r in requests
                ],
            )
            while batch.processing_status != "ended":
                sleep(poll_seconds)
                batch = self._client.messages.batches.retrieve(batch.id)
            schemas = {cid: r.schema for cid, r in requests}
            results: BatchResult = {}
            for item in self._client.messages.batches.results(batch.id):
                result = item.result
                if result.type == "succeeded":
                    results[item.custom_id] = self._completion(
                        result.message, structured and schemas.get(item.custom_id) is not None
                    )
                else:
                    results[item.custom_id] = f"batch request {result.type}"
            return results
        except self._sdk.AnthropicError as exc:
            raise self._classified(exc) from exc
