"""One answer schema, adapted to what each provider's structured output accepts.

The schema comes from the pydantic model the parser validates (llm/answers.py), with
``maxLength``/``maxItems`` bounds. Providers differ on those bounds:

- local grammars (llama.cpp, llama-cpp-python, Ollama) turn them into grammar rules, and a
  small model needs them: without a bound it can write one string until the token cap and
  the JSON never closes. ``inline`` keeps them and resolves ``$ref`` (grammar converters
  differ in how they read ``$defs``).
- OpenAI strict mode rejects ``minLength``/``maxLength`` and wants every property required
  and ``additionalProperties: false`` everywhere: ``openai_strict`` moves the length bounds
  into the description (as Anthropic's SDK does) and keeps ``maxItems``.
- Anthropic: ``anthropic.transform_schema`` from the SDK itself (in providers/anthropic.py).
"""

from __future__ import annotations

from typing import Any

_DROP = ("title", "default")
_TO_DESCRIPTION = ("minLength", "maxLength")


def inline(schema: dict[str, Any]) -> dict[str, Any]:
    """``$ref``s replaced by their definitions, titles and defaults dropped, bounds kept."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                name = str(node["$ref"]).rsplit("/", 1)[-1]
                return walk(defs[name])
            return {k: walk(v) for k, v in node.items() if k not in (*_DROP, "$defs")}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def openai_strict(schema: dict[str, Any]) -> dict[str, Any]:
    """What OpenAI's ``strict: true`` accepts: every object closed and fully required,
    length bounds only as words in the description."""

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items() if k not in (*_DROP, *_TO_DESCRIPTION)}
        moved = [f"{k}: {node[k]}" for k in _TO_DESCRIPTION if k in node]
        if moved:
            note = "{" + ", ".join(moved) + "}"
            out["description"] = f"{out['description']} {note}" if "description" in out else note
        if node.get("type") == "object" and "properties" in node:
            out["additionalProperties"] = False
            out["required"] = list(node["properties"])
        return out

    result: dict[str, Any] = walk(inline(schema))
    return result
