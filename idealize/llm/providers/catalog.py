"""What idealize knows of models: prices and context windows."""

from __future__ import annotations

from idealize.llm.providers.base import Pricing

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
