"""Model strings to providers: an alias (``sonnet``), ``anthropic/MODEL``, ``openai/MODEL``,
``ollama/MODEL``, ``fake/NAME``, else litellm. The catalog (providers/catalog.py) resolves
aliases, prices and context windows; this module only builds the client."""

from __future__ import annotations

import os
from collections.abc import Mapping

from idealize.errors import MissingKey, ProviderError, UsageError
from idealize.llm.providers.base import Provider
from idealize.llm.providers.catalog import ModelCard, resolve
from idealize.llm.providers.catalog import context_window as window_of

OLLAMA_URL = "http://localhost:11434/v1"
FAKE_MODELS = ("demo", "garbage")


def base_url(spec: str, api_base: str | None, env: Mapping[str, str]) -> str | None:
    """Where a model string's requests go, before any default of the SDK."""
    prefix = spec.partition("/")[0]
    if api_base:
        return api_base
    if prefix == "ollama":
        return OLLAMA_URL
    if prefix == "openai":
        return env.get("OPENAI_BASE_URL")
    if prefix == "anthropic":
        return env.get("ANTHROPIC_BASE_URL")
    return None


def model_card(
    spec: str,
    api_base: str | None = None,
    env: Mapping[str, str] | None = None,
    price: tuple[float, float] | None = None,
) -> ModelCard:
    """What the catalog knows of a ``--model`` value (the same check for dry and real runs)."""
    env = os.environ if env is None else env
    from idealize.llm.providers.catalog import ALIASES, resolve_alias

    full = resolve_alias(spec) if spec.strip() in ALIASES else spec
    card = resolve(spec, base_url(full, api_base, env), price)
    if card.provider == "fake" and card.model not in FAKE_MODELS:
        raise UsageError(
            f"no fake model {card.model!r}",
            f"choose one of: {', '.join('fake/' + k for k in FAKE_MODELS)}",
        )
    return card


def make_provider(
    spec: str,
    api_base: str | None = None,
    env: Mapping[str, str] | None = None,
    http_client: object | None = None,
    max_concurrency: int = 4,
    context_window: int | None = None,
    price: tuple[float, float] | None = None,
) -> Provider:
    """Build the provider a model string names. ``http_client`` (an httpx2.Client) is for tests."""
    env = os.environ if env is None else env
    card = model_card(spec, api_base, env, price)
    window = context_window or window_of(card)
    url = base_url(card.spec, api_base, env)
    if card.provider == "fake":
        from idealize.llm.providers.fake import ScriptedProvider, demo_answer, garbage_answer

        scripts = {"demo": demo_answer, "garbage": garbage_answer}
        return ScriptedProvider(
            scripts[card.model], model=f"fake-{card.model}", pricing=card.pricing
        )
    if card.provider == "anthropic":
        from idealize.llm.providers.anthropic import AnthropicProvider

        key = env.get("ANTHROPIC_API_KEY")
        if not key:
            raise MissingKey(
                "ANTHROPIC_API_KEY is not set", "export ANTHROPIC_API_KEY=... or run with --offline"
            )
        return AnthropicProvider(
            card.model, key, url, http_client, max_concurrency, window, card.pricing
        )
    if card.provider in ("openai", "ollama"):
        from idealize.llm.providers.openai import OpenAIProvider

        key = env.get("OPENAI_API_KEY") or ("local" if card.provider == "ollama" or url else None)
        if not key:
            raise MissingKey(
                "OPENAI_API_KEY is not set",
                "export OPENAI_API_KEY=..., or pass --api-base for a local server",
            )
        local = card.provider == "ollama" or (url is not None and "api.openai.com" not in url)
        return OpenAIProvider(
            card.model,
            key,
            url,
            http_client,
            min(max_concurrency, 2) if local else max_concurrency,
            window,
            card.pricing,
            name=card.provider,
        )
    from idealize.llm.providers.litellm import LiteLLMProvider

    try:
        return LiteLLMProvider(card.spec, api_base, max_concurrency, window, card.pricing)
    except ImportError as exc:
        raise ProviderError(
            f"no built-in provider for {card.provider!r} and litellm is not installed",
            "pip install 'idealize[litellm]', or use anthropic/, openai/ or ollama/",
        ) from exc
