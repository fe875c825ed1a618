"""Model strings to providers: ``anthropic/MODEL``, ``openai/MODEL``, ``ollama/MODEL``, else litellm."""

from __future__ import annotations

import os
from collections.abc import Mapping

from idealize.errors import MissingKey, ProviderError, UsageError
from idealize.llm.providers.base import Provider
from idealize.llm.providers.catalog import context_of, price_of

OLLAMA_URL = "http://localhost:11434/v1"


def make_provider(
    spec: str,
    api_base: str | None = None,
    env: Mapping[str, str] | None = None,
    http_client: object | None = None,
    max_concurrency: int = 4,
    context_window: int | None = None,
) -> Provider:
    """Build the provider a model string names. ``http_client`` (an httpx.Client) is for tests."""
    env = os.environ if env is None else env
    prefix, sep, model = spec.partition("/")
    if not sep or not model:
        raise UsageError(
            f"model {spec!r} has no provider prefix",
            "write it as anthropic/MODEL, openai/MODEL or ollama/MODEL",
        )
    if prefix == "fake":
        from idealize.llm.providers.fake import ScriptedProvider, demo_answer, garbage_answer

        scripts = {"demo": demo_answer, "garbage": garbage_answer}
        if model not in scripts:
            raise UsageError(
                f"no fake model {model!r}",
                f"choose one of: {', '.join('fake/' + k for k in scripts)}",
            )
        return ScriptedProvider(scripts[model], model=f"fake-{model}", pricing=None)
    if prefix == "anthropic":
        from idealize.llm.providers.anthropic import AnthropicProvider

        key = env.get("ANTHROPIC_API_KEY")
        if not key:
            raise MissingKey(
                "ANTHROPIC_API_KEY is not set", "export ANTHROPIC_API_KEY=... or run with --offline"
            )
        return AnthropicProvider(
            model,
            key,
            api_base or env.get("ANTHROPIC_BASE_URL"),
            http_client,
            max_concurrency,
            context_window or context_of(model, 200_000),
        )
    if prefix in ("openai", "ollama"):
        from idealize.llm.providers.openai import OpenAIProvider

        base = api_base or (OLLAMA_URL if prefix == "ollama" else env.get("OPENAI_BASE_URL"))
        key = env.get("OPENAI_API_KEY") or ("ollama" if prefix == "ollama" or base else None)
        if not key:
            raise MissingKey(
                "OPENAI_API_KEY is not set",
                "export OPENAI_API_KEY=..., or pass --api-base for a local server",
            )
        local = prefix == "ollama" or (base is not None and "api.openai.com" not in base)
        return OpenAIProvider(
            model,
            key,
            base,
            http_client,
            max_concurrency if not local else min(max_concurrency, 2),
            context_window or context_of(model, 8_192 if local else 128_000),
            pricing=None if local else price_of(model),
        )
    from idealize.llm.providers.litellm import LiteLLMProvider

    try:
        return LiteLLMProvider(spec, api_base, max_concurrency, context_window or 32_000)
    except ImportError as exc:
        raise ProviderError(
            f"no built-in provider for {prefix!r} and litellm is not installed",
            "pip install 'idealize[litellm]', or use anthropic/, openai/ or ollama/",
        ) from exc
