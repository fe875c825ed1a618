"""OpenAI Chat Completions through the official SDK; any OpenAI-compatible server via base_url
(Ollama, vLLM, llama.cpp, llama-cpp-python, LM Studio).

Structured outputs, by server:

- api.openai.com: ``response_format={"type": "json_schema", "json_schema": {..., "strict":
  true}}`` with the schema made strict (providers/schemas.py); ``max_completion_tokens``, and
  no temperature for reasoning models (the o-series, GPT-5 and later).
- other servers: the same ``json_schema`` form first (Ollama maps it to its ``format``,
  llama.cpp's server and vLLM take it), then ``{"type": "json_object", "schema": ...}``
  (llama-cpp-python takes only this one and answers 500 to the other), then free text. The
  first form a server accepts is remembered. Local servers read ``max_tokens``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from idealize.llm.providers._errors import classify, client_options, structured_refused
from idealize.llm.providers.base import BatchResult, Completion, Pricing, Request
from idealize.llm.providers.catalog import reasoning_model
from idealize.llm.providers.schemas import inline, openai_strict

OPENAI_URL = "https://api.openai.com/v1"


class OpenAIProvider:
    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None,
        http_client: Any,
        max_concurrency: int,
        context_window: int,
        pricing: Pricing | None,
        name: str = "openai",
    ) -> None:
        import openai

        self._sdk = openai
        self._client: Any = openai.OpenAI(**client_options(api_key, base_url, http_client))
        self.name = name
        self.model = model
        self.endpoint = (base_url or OPENAI_URL).rstrip("/")
        self.official = "api.openai.com" in self.endpoint
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing = pricing
        forms = ("json_schema", "") if self.official else ("json_schema", "json_object", "")
        self._forms: list[str] = list(forms)  # the first is the one to try next
        self._lock = threading.Lock()

    # -- request shape ---------------------------------------------------------------------

    def _response_format(self, request: Request, form: str) -> dict[str, Any] | None:
        if request.schema is None or not form:
            return None
        schema = request.schema.schema()
        if form == "json_object":
            return {"type": "json_object", "schema": inline(schema)}
        if self.official:
            return {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema.name,
                    "schema": openai_strict(schema),
                    "strict": True,
                },
            }
        return {
            "type": "json_schema",
            "json_schema": {"name": request.schema.name, "schema": inline(schema)},
        }

    def body(self, request: Request, form: str = "") -> dict[str, Any]:
        """The chat-completion parameters for this server, model and structured form."""
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        if self.official:
            params["max_completion_tokens"] = request.max_tokens
            if not reasoning_model(self.model):
                params["temperature"] = request.temperature
        else:
            params["max_tokens"] = request.max_tokens
            params["temperature"] = request.temperature
        response_format = self._response_format(request, form)
        if response_format is not None:
            params["response_format"] = response_format
        return params

    def _form(self) -> str:
        with self._lock:
            return self._forms[0]

    def _refused(self, form: str) -> None:
        with self._lock:
            if self._forms and self._forms[0] == form and len(self._forms) > 1:
                self._forms.pop(0)

    # -- calls -------------------------------------------------------------------------------

    def complete(self, request: Request) -> Completion:
        while True:
            form = self._form() if request.schema is not None else ""
            try:
                response = self._client.chat.completions.create(**self.body(request, form))
            except self._sdk.OpenAIError as exc:
                if form and structured_refused(exc):
                    self._refused(form)
                    continue
                raise self._classified(exc) from exc
            except (ValueError, RecursionError) as exc:  # a body that is not JSON
                raise self._classified(exc) from exc
            return self._read(response, form)

    def _classified(self, exc: BaseException) -> Exception:
        return classify(exc, self.name, "OPENAI_API_KEY", self.endpoint)

    def _read(self, response: Any, form: str) -> Completion:
        if not getattr(response, "choices", None):
            raise self._classified(ValueError("no choices in the answer"))
        choice = response.choices[0]
        message = choice.message
        usage = response.usage
        refusal = getattr(message, "refusal", None)
        return Completion(
            text=str(refusal if refusal else (message.content or "")),
            input_tokens=int(usage.prompt_tokens if usage else 0),
            output_tokens=int(usage.completion_tokens if usage else 0),
            model=str(response.model or self.model),
            stop_reason="refusal" if refusal else str(choice.finish_reason or ""),
            structured="" if refusal else form,
        )

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> BatchResult:
        """Batch API: a JSONL file of chat completions, half price, answered within 24 hours."""
        form = self._form()
        lines = [
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": self.body(r, form if r.schema is not None else ""),
                }
            )
            for cid, r in requests
        ]
        try:
            upload = self._client.files.create(
                file=("idealize-batch.jsonl", "\n".join(lines).encode()), purpose="batch"
            )
            batch = self._client.batches.create(
                input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
            )
            while batch.status not in ("completed", "failed", "expired", "cancelled"):
                sleep(poll_seconds)
                batch = self._client.batches.retrieve(batch.id)
            if batch.status != "completed" or not batch.output_file_id:
                raise self._classified(ValueError(f"batch {batch.id} ended as {batch.status}"))
            text = self._client.files.content(batch.output_file_id).text
        except self._sdk.OpenAIError as exc:
            raise self._classified(exc) from exc
        schemas = {cid: r.schema for cid, r in requests}
        results: BatchResult = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                response = row.get("response") or {}
                body = response.get("body") or {}
                cid = str(row["custom_id"])
            except (ValueError, KeyError, AttributeError, RecursionError):
                continue
            if response.get("status_code") != 200 or not body.get("choices"):
                results[cid] = (
                    f"batch request failed: {row.get('error') or response.get('status_code')}"
                )
                continue
            usage = body.get("usage") or {}
            message = body["choices"][0].get("message") or {}
            results[cid] = Completion(
                text=str(message.get("content") or ""),
                input_tokens=int(usage.get("prompt_tokens", 0)),
                output_tokens=int(usage.get("completion_tokens", 0)),
                model=str(body.get("model", self.model)),
                stop_reason=str(body["choices"][0].get("finish_reason") or ""),
                structured=form if schemas.get(cid) is not None else "",
            )
        return results
