"""OpenAI Chat Completions through the official SDK; any OpenAI-compatible server via base_url
(Ollama, vLLM, llama.cpp, LM Studio)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from idealize.llm.providers._errors import classify, client_options
from idealize.llm.providers.base import BatchResult, Completion, Pricing, Request


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
        self._client: Any = openai.OpenAI(**client_options(api_key, base_url, http_client))
        self.model = model
        self.max_concurrency = max_concurrency
        self.context_window = context_window
        self.pricing = pricing

    def complete_batch(
        self,
        requests: list[tuple[str, Request]],
        sleep: Callable[[float], None],
        poll_seconds: float,
    ) -> BatchResult:
        """Batch API: a JSONL file of chat completions, half price, answered within 24 hours."""
        lines = [
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": {
                        "model": self.model,
                        "messages": [{"role": m.role, "content": m.content} for m in r.messages],
                        "max_tokens": r.max_tokens,
                    },
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
                raise classify(
                    ValueError(f"batch {batch.id} ended as {batch.status}"),
                    "openai",
                    "OPENAI_API_KEY",
                )
            text = self._client.files.content(batch.output_file_id).text
        except self._sdk.OpenAIError as exc:
            raise classify(exc, "openai", "OPENAI_API_KEY") from exc
        results: BatchResult = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            response = row.get("response") or {}
            body = response.get("body") or {}
            if response.get("status_code") != 200 or not body.get("choices"):
                results[row["custom_id"]] = (
                    f"batch request failed: {row.get('error') or response.get('status_code')}"
                )
                continue
            usage = body.get("usage") or {}
            results[row["custom_id"]] = Completion(
                text=body["choices"][0]["message"].get("content") or "",
                input_tokens=int(usage.get("prompt_tokens", 0)),
                output_tokens=int(usage.get("completion_tokens", 0)),
                model=str(body.get("model", self.model)),
                stop_reason=str(body["choices"][0].get("finish_reason") or ""),
            )
        return results

    def complete(self, request: Request) -> Completion:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
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
