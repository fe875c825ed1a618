"""What idealize knows of models, read from maintained sources rather than a table in code.

- **Ids**: the model lists the installed SDKs ship (``anthropic.types.Model``,
  ``openai.types.ChatModel``).
- **Deprecations**: the anthropic SDK's own list (``anthropic._data.DEPRECATED_MODELS``) and the
  shutdown dates the openai SDK states for its ids (a docstring in
  ``openai/types/shared/chat_model.py``, read with ``ast``).
- **Prices and context windows**: genai-prices' bundled snapshot. Its data ships inside the
  wheel and is read offline; idealize never starts its ``UpdatePrices`` fetcher.
- **Aliases** (``sonnet``, ``opus``, ``haiku``, ``gpt``, ``gpt-mini``): the newest id of a
  line in the SDK's list that is priced and not deprecated, so a newer SDK moves them on.

Nothing here calls the network. An SDK or genai-prices that cannot be imported makes the
model unknown (a one-line warning), never an error.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from urllib.parse import urlsplit

from idealize.errors import UsageError
from idealize.llm.providers.base import Pricing

# line -> (provider, the ids of that line; group "v" is the version)
ALIASES: dict[str, tuple[str, str]] = {
    "sonnet": ("anthropic", r"claude-sonnet-(?P<v>\d+(?:-\d{1,2})?)"),
    "opus": ("anthropic", r"claude-opus-(?P<v>\d+(?:-\d{1,2})?)"),
    "haiku": ("anthropic", r"claude-haiku-(?P<v>\d+(?:-\d{1,2})?)"),
    # OpenAI's coding tier is "sol" (gpt-5.6-sol, gpt-6-sol); the cost tier "luna", earlier "mini"
    "gpt": ("openai", r"gpt-(?P<v>\d+(?:\.\d+)?)-sol"),
    "gpt-mini": ("openai", r"gpt-(?P<v>\d+(?:\.\d+)?)-(?:luna|mini)"),
}
PROVIDERS = ("anthropic", "openai", "ollama")
# OpenAI reasoning models take max_completion_tokens and only the default temperature
_REASONING = re.compile(r"^(?:o\d|gpt-(?:[5-9]|\d{2}))")
_DATED = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8})$")
DEFAULT_CONTEXT = {"anthropic": 200_000, "openai": 128_000, "local": 8_192, "other": 32_000}


@dataclass(frozen=True)
class ModelCard:
    """One model as idealize will call it, with what the catalog knows of it."""

    provider: str  # anthropic, openai, ollama, fake, or a litellm prefix
    model: str  # the id sent to the API
    alias: str | None = None  # what the user typed, when it was an alias
    pricing: Pricing | None = None
    context_window: int | None = None
    known: bool = True  # in the SDK's list or the price catalog
    shutdown: dt.date | None = None  # the provider's announced shutdown date
    note: str = ""  # why a price is missing, or what the catalog matched instead
    local: bool = False  # a server on this machine (or one of the user's): no catalog

    @property
    def spec(self) -> str:
        return f"{self.provider}/{self.model}"

    def retired(self, today: dt.date | None = None) -> bool:
        return self.shutdown is not None and self.shutdown <= (today or dt.date.today())

    def warnings(self, today: dt.date | None = None) -> tuple[str, ...]:
        """One line per thing the user should know before spending money on this model."""
        out: list[str] = []
        if self.shutdown is not None:
            when = self.shutdown.isoformat()
            state = "was shut down" if self.retired(today) else "is deprecated: shutdown"
            better = successor(self.provider, self.model)
            out.append(
                f"{self.spec} {state} on {when} (the {self.provider} SDK's data)"
                + (f"; use {better}" if better else "")
            )
        elif not self.known:
            out.append(
                f"{self.spec} is not in the {self.provider} SDK's model list nor in genai-prices: "
                "check the name (cost unknown)"
            )
        if self.pricing is None and not self.local and self.note and not out:
            out.append(f"{self.spec}: {self.note}")
        return tuple(out)


def reasoning_model(model: str) -> bool:
    """OpenAI's o-series and GPT-5 and later refuse max_tokens and a non-default temperature."""
    return bool(_REASONING.match(model))


def resolve(
    spec: str, api_base: str | None = None, price: tuple[float, float] | None = None
) -> ModelCard:
    """The card for a ``--model`` value: an alias, or ``provider/model``."""
    spec = spec.strip()
    alias = None
    if spec in ALIASES:
        alias, spec = spec, resolve_alias(spec)
    prefix, sep, model = spec.partition("/")
    if not sep or not model or not prefix:
        raise UsageError(
            f"model {spec!r} has no provider prefix",
            "write it as anthropic/MODEL, openai/MODEL or ollama/MODEL, or use an alias: "
            + ", ".join(ALIASES),
        )
    card = replace(_card(prefix, model, api_base), alias=alias)
    if price is not None:
        if min(price) < 0:
            raise UsageError("--price takes two numbers >= 0", "e.g. --price 3 15 (US$ per MTok)")
        card = replace(card, pricing=Pricing(price[0], price[1], source="--price"))
    return card


def _card(prefix: str, model: str, api_base: str | None) -> ModelCard:
    if prefix == "fake":
        return ModelCard("fake", model, pricing=Pricing(0.0, 0.0, source="scripted"), local=True)
    if prefix == "ollama" or (prefix == "openai" and _local(api_base)):
        # a server on this machine costs nothing; its models are whatever it serves
        return ModelCard(
            prefix,
            model,
            pricing=Pricing(0.0, 0.0, source="local server"),
            context_window=None,
            local=True,
        )
    if prefix == "openai" and api_base and "api.openai.com" not in api_base:
        return ModelCard(
            prefix, model, note=f"no price is known for a model served by {api_base}", local=True
        )
    listed = model in sdk_models(prefix) if prefix in ("anthropic", "openai") else False
    pricing, window, note = _priced(prefix, model)
    return ModelCard(
        prefix,
        model,
        pricing=pricing,
        context_window=window,
        known=listed or pricing is not None or window is not None or prefix not in PROVIDERS,
        shutdown=shutdowns(prefix).get(model),
        note=note,
    )


def _local(api_base: str | None) -> bool:
    host = urlsplit(api_base).hostname if api_base else None
    return host in ("localhost", "127.0.0.1", "::1") or bool(host and host.startswith("127."))


def context_window(card: ModelCard) -> int:
    if card.context_window:
        return card.context_window
    if card.local:
        return DEFAULT_CONTEXT["local"]
    return DEFAULT_CONTEXT.get(card.provider, DEFAULT_CONTEXT["other"])


# ---------------------------------------------------------------------------------------------
# genai-prices


def _priced(provider: str, model: str) -> tuple[Pricing | None, int | None, str]:
    """Base-tier prices (US$ per MTok) and the context window from genai-prices, when the
    catalog holds this exact model (or a dated snapshot of it)."""
    try:
        from genai_prices import Usage, calc_price
        from genai_prices.data_snapshot import get_snapshot
    except ImportError:  # pragma: no cover - a dependency
        return None, None, "genai-prices is not installed: no price"
    provider_id = provider if provider != "gemini" else "google"
    try:
        _, info = get_snapshot().find_provider_model(model, None, provider_id, None)
    except LookupError:
        try:
            _, info = get_snapshot().find_provider_model(model, None, None, None)
        except LookupError:
            return None, None, "genai-prices has no price for it"
    if info.id != model and _DATED.sub("", model) != info.id:
        return None, None, f"genai-prices only knows a different model ({info.id}): no price"
    try:
        # 1,000 tokens each: below every long-context tier (prompts stay under 60k tokens)
        usage = Usage(input_tokens=1_000, output_tokens=1_000)
        base = calc_price(usage, model_ref=info.id, provider_id=provider_id)
    except LookupError:
        return None, info.context_window, "genai-prices has no price for it"
    pricing = Pricing(
        float(base.input_price) * 1_000,
        float(base.output_price) * 1_000,
        batch_discount=_batch_ratio(calc_price, usage, info.id, provider_id, base.total_price),
        source="genai-prices",
    )
    return pricing, info.context_window, ""


def _batch_ratio(
    calc: Callable[..., typing.Any], usage: object, model: str, provider: str, full: object
) -> float:
    try:
        batch = calc(
            usage, model_ref=model, provider_id=provider, price_context={"processing": "batch"}
        )
        ratio = float(batch.total_price) / float(full)  # type: ignore[arg-type]
    except (LookupError, ValueError, TypeError, ZeroDivisionError):
        return 0.5
    return ratio if 0 < ratio <= 1 else 0.5


# ---------------------------------------------------------------------------------------------
# the SDKs' model lists and deprecations


@cache
def sdk_models(provider: str) -> tuple[str, ...]:
    """The ids the installed SDK lists, newest first (the SDK's own order)."""
    try:
        if provider == "anthropic":
            import anthropic

            literal = typing.get_args(anthropic.types.Model)[0]
            return tuple(str(a) for a in typing.get_args(literal))
        if provider == "openai":
            import openai

            return tuple(str(a) for a in typing.get_args(openai.types.ChatModel))
    except (ImportError, IndexError, AttributeError):
        return ()
    return ()


@cache
def shutdowns(provider: str) -> dict[str, dt.date]:
    """Model id -> the shutdown date its provider announced, as the installed SDK states it."""
    try:
        if provider == "anthropic":
            from anthropic._data import DEPRECATED_MODELS

            return {
                model: day
                for model, text in DEPRECATED_MODELS.items()
                if (day := _prose_date(text)) is not None
            }
        if provider == "openai":
            from openai.types.shared import chat_model

            return _openai_shutdowns(inspect.getsource(chat_model))
    except (ImportError, OSError, TypeError):
        return {}
    return {}


_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def _prose_date(text: str) -> dt.date | None:
    """'November 30th, 2026' -> 2026-11-30."""
    m = re.search(r"([A-Za-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text)
    if m is None or m.group(1).lower() not in _MONTHS:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError:
        return None


def _openai_shutdowns(source: str) -> dict[str, dt.date]:
    """The module's "Deprecated values:" string: ``- "id", "id": Announced shutdown date: D``."""
    found: dict[str, dt.date] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if "Deprecated values" not in node.value:
            continue
        for item in re.split(r"\n-\s", node.value):
            ids, _, rest = item.partition('":')
            day = re.search(r"shutdown date:\s*(\d{4})-(\d{2})-(\d{2})", rest)
            if day is None:
                continue
            date = dt.date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
            for model in re.findall(r'"([^"]+)"', ids + '"'):
                found[model] = date
    return found


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[.-]", text) if p.isdigit())


@cache
def resolve_alias(alias: str) -> str:
    """``sonnet`` -> ``anthropic/claude-sonnet-5-5``: the newest id of the line that the SDK
    lists, genai-prices prices, and no shutdown is announced for."""
    provider, pattern = ALIASES[alias]
    line = re.compile(pattern)
    ends = shutdowns(provider)
    candidates = [
        (_version(m.group("v")), model)
        for model in sdk_models(provider)
        if (m := line.fullmatch(model)) and model not in ends
    ]
    for _, model in sorted(candidates, reverse=True):
        if _priced(provider, model)[0] is not None:
            return f"{provider}/{model}"
    if candidates:
        return f"{provider}/{max(candidates)[1]}"
    raise UsageError(
        f"the installed {provider} SDK lists no model for the alias {alias!r}",
        f"name the model: {provider}/MODEL",
    )


def successor(provider: str, model: str) -> str | None:
    """The alias (and what it resolves to) of the line a deprecated model belongs to."""
    for alias, (owner, pattern) in ALIASES.items():
        if owner == provider and re.fullmatch(pattern, _DATED.sub("", model)):
            try:
                return f"{resolve_alias(alias)} (alias {alias})"
            except UsageError:
                return None
    if provider == "openai":
        try:
            return f"{resolve_alias('gpt')} (alias gpt)"
        except UsageError:
            return None
    return None
