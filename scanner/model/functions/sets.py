"""Terraform's set functions and conversions: setintersection setproduct setsubtract setunion, and
tobool tolist tomap tonumber toset tostring (sensitive/nonsensitive pass the value through).

Sets are lists without duplicates, in Terraform's order where it has one (strings lexically,
numbers numerically); a set with an Unknown element is Unknown, since its duplicates are not known.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from scanner.model.functions.arguments import (
    FunctionError, as_set, boolean, bounded_length, known, mapping, number, same, sequence, string, unify,
)


def _sets(values: tuple, least: int) -> list[list]:
    if len(values) < least:
        raise FunctionError(f"at least {least} argument{'s' if least > 1 else ''} required")
    sets = [known(sequence(v, f"argument {i}")) for i, v in enumerate(values, 1)]
    lengths = [len(s) for s in sets]
    merged = unify([item for s in sets for item in s])
    out, start = [], 0
    for size in lengths:
        out.append(merged[start:start + size])
        start += size
    return out


def setintersection(*values: Any) -> list:
    first, *rest = _sets(values, 1)
    return as_set([item for item in first if all(any(same(item, other) for other in s) for s in rest)])


def setsubtract(left: Any, right: Any) -> list:
    first, second = _sets((left, right), 2)
    return as_set([item for item in first if not any(same(item, other) for other in second)])


def setunion(*values: Any) -> list:
    return as_set([item for s in _sets(values, 1) for item in s])


def setproduct(*values: Any) -> list:
    if len(values) < 2:
        raise FunctionError("at least two arguments are required")
    sets = [unify(known(sequence(v, f"argument {i}"))) for i, v in enumerate(values, 1)]
    total = 1
    for items in sets:
        total *= len(items)
        bounded_length(total * len(sets))
    return [list(combination) for combination in itertools.product(*sets)]


# --- conversions ----------------------------------------------------------------------------------

def tostring(value: Any) -> str | None:
    return None if value is None else string(value)


def tonumber(value: Any) -> int | float | None:
    if isinstance(value, bool):
        raise FunctionError("cannot convert bool to number")
    return None if value is None else number(value)


def tobool(value: Any) -> bool | None:
    if value is not None and not isinstance(value, (bool, str)):
        raise FunctionError("cannot convert this value to bool")
    return None if value is None else boolean(value)


def tolist(value: Any) -> list | None:
    return None if value is None else unify(list(sequence(value)))


def toset(value: Any) -> list | None:
    return None if value is None else as_set(list(sequence(value)))


def tomap(value: Any) -> dict | None:
    if value is None:
        return None
    table = mapping(value)
    return dict(zip(table, unify(list(table.values()))))


def passthrough(value: Any) -> Any:
    """sensitive() and nonsensitive(): the model keeps values as they are (reports mask secrets)."""
    return value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "setintersection": setintersection, "setproduct": setproduct, "setsubtract": setsubtract,
    "setunion": setunion, "tobool": tobool, "tolist": tolist, "tomap": tomap, "tonumber": tonumber,
    "toset": toset, "tostring": tostring, "sensitive": passthrough, "nonsensitive": passthrough,
}
