"""Model strings to providers: ``anthropic/MODEL``, ``openai/MODEL``, ``ollama/MODEL``, else litellm."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..errors import MissingKey, ProviderError, UsageError
from .base import Pricing, Provider

OLLAMA_URL = "http://localhost:11434/v1"

# Published list prices, US dollars per million tokens (input, output). Unknown models
# report no cost and the plan says so.
PRICES: dict[str, Pricing] = {
    "claude-opus-4": Pricing(15.0, 75.0),
    "claude-sonnet-4": Pricing(3.0, 15.0),
    "claude-haiku-4": Pricing(1.0, 5.0),
    "claude-3-5-haiku": Pricing(0.8, 4.0),
    "gpt-4.1": Pricing(2.0, 8.0),
    "gpt-4.1-mini": Pricing(0.4, 1.6),
    "gpt-4o": Pricing(2.5, 10.0),
    "gpt-4o-mini": Pricing(0.15, 0.6),
    "gpt-5": Pricing(1.25, 10.0),
    "gpt-5-mini": Pricing(0.25, 2.0),
}
CONTEXT: dict[str, int] = {
    "claude": 200_000,
    "gpt-4.1": 1_000_000,
    "gpt-4o": 128_000,
    "gpt-5": 400_000,
}


def price_of(model: str) -> Pricing | None:
    best = ""
    for prefix in PRICES:
        if model.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return PRICES.get(best)


def context_of(model: str, default: int = 8_192) -> int:
    for prefix, size in CONTEXT.items():
        if model.startswith(prefix):
            return size
    return default


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
        from .fake import ScriptedProvider, demo_answer, garbage_answer

        scripts = {"demo": demo_answer, "garbage": garbage_answer}
        if model not in scripts:
            raise UsageError(
                f"no fake model {model!r}",
                f"choose one of: {', '.join('fake/' + k for k in scripts)}",
            )
        return ScriptedProvider(scripts[model], model=f"fake-{model}", pricing=None)
    if prefix == "anthropic":
        from .anthropic import AnthropicProvider

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
        from .openai import OpenAIProvider

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
    from .litellm import LiteLLMProvider

    try:
        return LiteLLMProvider(spec, api_base, max_concurrency, context_window or 32_000)
    except ImportError as exc:
        raise ProviderError(
            f"no built-in provider for {prefix!r} and litellm is not installed",
            "pip install 'idealize[litellm]', or use anthropic/, openai/ or ollama/",
        ) from exc
