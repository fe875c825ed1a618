"""The model catalog is read from maintained sources (the SDKs' model lists and deprecations,
genai-prices' bundled data), never from a table in idealize's code."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from idealize.errors import UsageError
from idealize.llm.providers.catalog import (
    ALIASES,
    reasoning_model,
    resolve,
    resolve_alias,
    sdk_models,
    shutdowns,
)

ROOT = Path(__file__).resolve().parents[2]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[.-]", text) if p.isdigit())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalog tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_model_released_after_the_code_was_written_is_priced_from_the_library(
    no_network: None,
) -> None:
    from genai_prices import Usage, calc_price

    source = "\n".join(p.read_text() for p in (ROOT / "idealize").rglob("*.py"))
    unnamed = [
        (provider, model)
        for provider in ("anthropic", "openai")
        for model in sdk_models(provider)
        if model not in source and model not in shutdowns(provider)
    ]
    priced = [(p, m, resolve(f"{p}/{m}")) for p, m in unnamed]
    priced = [(p, m, card) for p, m, card in priced if card.pricing is not None]
    assert len(priced) >= 10, "the library prices models no line of idealize names"
    for provider, model, card in priced:
        expected = calc_price(
            Usage(input_tokens=1_000_000, output_tokens=0), model_ref=model, provider_id=provider
        )
        small = calc_price(
            Usage(input_tokens=1_000, output_tokens=1_000), model_ref=model, provider_id=provider
        )
        assert card.pricing is not None and card.pricing.source == "genai-prices"
        assert card.pricing.input == pytest.approx(float(small.input_price) * 1_000)
        assert card.pricing.output == pytest.approx(float(small.output_price) * 1_000)
        assert card.pricing.input <= float(expected.input_price)  # base tier, not long-context
        assert card.context_window and card.context_window >= 100_000


def test_an_unpriced_model_says_so_and_a_given_price_fills_in() -> None:
    unpriced = next(
        m
        for m in sdk_models("anthropic")
        if resolve(f"anthropic/{m}").pricing is None and m not in shutdowns("anthropic")
    )
    card = resolve(f"anthropic/{unpriced}")
    assert card.known and card.warnings() and "no price" in card.warnings()[0]
    given = resolve(f"anthropic/{unpriced}", price=(3.0, 15.0))
    assert given.pricing is not None and given.pricing.source == "--price"
    assert given.pricing.cost(1_000_000, 1_000_000) == pytest.approx(18.0)
    with pytest.raises(UsageError):
        resolve(f"anthropic/{unpriced}", price=(-1.0, 2.0))


def test_a_fuzzy_catalog_match_is_not_taken_as_a_price() -> None:
    # genai-prices matches loosely (gpt-5.1-mini -> gpt-5.1-codex-mini); only the model itself
    # or a dated snapshot of it counts
    card = resolve("openai/gpt-5.1-mini")
    assert card.pricing is None or card.pricing.source == "genai-prices"
    if card.pricing is None:
        assert "different model" in card.note


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_resolve_to_the_newest_priced_current_model_of_their_line(alias: str) -> None:
    provider, pattern = ALIASES[alias]
    spec = resolve_alias(alias)
    owner, _, model = spec.partition("/")
    assert owner == provider and model in sdk_models(provider)
    assert model not in shutdowns(provider)
    card = resolve(alias)
    assert card.spec == spec and card.alias == alias and card.pricing is not None
    newer = [
        m
        for m in sdk_models(provider)
        if (hit := re.fullmatch(pattern, m))
        and _version(hit.group("v")) > _version(re.fullmatch(pattern, model).group("v"))  # type: ignore[union-attr]
        and m not in shutdowns(provider)
        and resolve(f"{provider}/{m}").pricing is not None
    ]
    assert newer == []


def test_deprecated_models_warn_in_one_line_with_the_date_and_a_successor() -> None:
    for provider in ("anthropic", "openai"):
        lines = [pattern for owner, pattern in ALIASES.values() if owner == provider]
        model, day = next(
            (m, d)
            for m, d in sorted(shutdowns(provider).items())
            if any(re.fullmatch(pattern, m) for pattern in lines)
        )
        (line,) = resolve(f"{provider}/{model}").warnings()
        assert day.isoformat() in line and "\n" not in line
        assert "use " in line  # the current model of the same line


def test_unknown_models_and_missing_prefixes() -> None:
    (line,) = resolve("anthropic/claude-nonexistent-9").warnings()
    assert "not in the anthropic SDK's model list" in line
    with pytest.raises(UsageError, match="no provider prefix") as info:
        resolve("claude-sonnet-5-5")
    assert "sonnet" in info.value.hint
    assert resolve("ollama/qwen3-coder:8b").pricing is not None  # a local server costs nothing
    assert resolve("ollama/qwen3-coder:8b").warnings() == ()


def test_openai_reasoning_models() -> None:
    # ids made up on purpose: the rule is by family, so future ids follow it
    for model in ("o7", "o9-mini", "gpt-5.5", "gpt-6-sol", "gpt-10-luna"):
        assert reasoning_model(model), model
    for model in ("gpt-4.9-turbo", "smollm2", "qwen3-coder:8b", "llama3.2"):
        assert not reasoning_model(model), model


def _retired_ids() -> set[str]:
    return {m for provider in ("anthropic", "openai") for m in shutdowns(provider)}


def test_no_retired_model_is_named_in_the_readme_defaults_tests_or_evals() -> None:
    retired = _retired_ids()
    assert retired, "the SDKs list deprecated models"
    files = [
        ROOT / "README.md",
        *(ROOT / "evals").rglob("*"),
        *(ROOT / "idealize").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "benchmarks").rglob("*.py"),
        *(ROOT / "examples").rglob("*"),
    ]
    pattern = re.compile(
        r"(?<![\w.-])("
        + "|".join(re.escape(m) for m in sorted(retired, key=len, reverse=True))
        + r")(?![\w-]|\.\d)"
    )
    found = []
    quoted = ROOT / "evals" / "real" / "truth"  # judges quote other projects' code there
    for path in files:
        if not path.is_file() or path.is_relative_to(quoted):
            continue
        for n, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            for m in pattern.finditer(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {m.group(1)}")
    assert found == []


def test_the_default_budget_leaves_room_for_another_tokenizer() -> None:
    """A prompt counted with cl100k at the window's edge overflows a model whose tokenizer
    counts more (a local 8k server refused a go-fleet unit at 8,955 tokens)."""
    from idealize.llm.stage import MAX_DEFAULT_BUDGET, default_budget

    small = default_budget(8_192, 600, 900)
    assert small + 900 + 600 <= 0.85 * 8_192
    assert small >= 4_000  # still room for the code
    assert default_budget(200_000, 4_000, 900) == MAX_DEFAULT_BUDGET
    assert default_budget(2_000, 1_500, 900) == 1_000  # never below a floor
