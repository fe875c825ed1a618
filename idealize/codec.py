"""The pipeline's frozen dataclasses to JSON-ready data and back, driven by their type hints.

For the analysis memo (``analyze.engine``): what the engine found is stored in the cache as
text and read back into the same typed objects, without a serialiser per type. Only the
shapes ``types.py`` uses are handled: plain scalars, ``Literal``, ``X | None``,
``tuple[X, ...]``, fixed tuples and nested dataclasses. Anything else is a ``TypeError``
when it is written, so a new field of a new shape fails loudly in the tests instead of being
cached wrong.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from functools import cache
from typing import Any, TypeVar, get_args, get_origin

T = TypeVar("T")

_SCALARS = (str, int, float, bool, type(None))


def to_data(obj: object) -> Any:
    """Lists, dicts and scalars that ``json.dumps`` takes as they are."""
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, tuple):
        return [to_data(x) for x in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    raise TypeError(f"cannot encode a {type(obj).__name__}")


def from_data(cls: type[T], data: Any) -> T:
    """The object ``to_data`` was given; ``TypeError``/``KeyError`` when ``data`` does not fit."""
    result: T = _decode(cls, data)
    return result


@cache
def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))


def _decode(hint: Any, data: Any) -> Any:
    origin = get_origin(hint)
    if origin is typing.Literal:
        if data not in get_args(hint):
            raise TypeError(f"{data!r} is not one of {get_args(hint)}")
        return data
    if origin in (typing.Union, types.UnionType):
        options = get_args(hint)
        if data is None and type(None) in options:
            return None
        inner = [o for o in options if o is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot decode the union {hint}")
        return _decode(inner[0], data)
    if origin is tuple:
        if not isinstance(data, list):
            raise TypeError(f"expected a list for {hint}")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], x) for x in data)
        if len(args) != len(data):
            raise TypeError(f"expected {len(args)} items for {hint}")
        return tuple(_decode(a, x) for a, x in zip(args, data, strict=True))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {hint.__name__}")
        hints = _hints(hint)
        return hint(
            **{f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(hint)}
        )
    if hint is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if hint in _SCALARS and type(data) is hint:
        return data
    raise TypeError(f"cannot decode {data!r} as {hint}")
