"""Terraform's collection functions over lists (tuples and sets are lists here) and maps.

An Unknown element is carried along where the result does not depend on it (length, keys, concat,
element of another index, lookup of another key) and makes the result Unknown where it does
(contains, distinct, sort, compact).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from scanner.model.functions import graphemes
from scanner.model.functions.arguments import (
    FunctionError, UnknownInside, bounded_length, boolean, integer, known, mapping, number,
    distinct_values, number_result, same, sequence, string, strings, unify,
)
from scanner.model.values import Unknown

MAX_RANGE_VALUES = 1024   # Terraform's own limit for range()


def alltrue(items: Any) -> bool:
    for item in sequence(items):
        if isinstance(item, Unknown):
            raise UnknownInside(item)
        if item is None or not boolean(item, "element"):
            return False
    return True


def anytrue(items: Any) -> bool:
    unknown = None
    for item in sequence(items):
        if isinstance(item, Unknown):
            unknown = unknown or item
        elif item is not None and boolean(item, "element"):
            return True
    if unknown is not None:
        raise UnknownInside(unknown)
    return False


def chunklist(items: Any, size: Any) -> list:
    values, chunk = sequence(items), integer(size, "size")
    if chunk < 0:
        raise FunctionError("the size argument must be positive")
    if not values:
        return []
    if chunk == 0:
        return [list(values)]
    return [values[i:i + chunk] for i in range(0, len(values), chunk)]


def coalesce(*values: Any) -> Any:
    """The first argument that is neither null nor "" (an Unknown before it makes the result Unknown);
    mixed strings and numbers or bools compare as strings, as Terraform unifies them."""
    if not values:
        raise FunctionError("at least one argument is required")
    unified = unify(list(values)) if not any(isinstance(v, Unknown) for v in values) else list(values)
    for value in unified:
        if isinstance(value, Unknown):
            raise UnknownInside(value)
        if value is None or value == "":
            continue
        return value
    raise FunctionError("no non-null, non-empty-string arguments")


def coalescelist(*lists: Any) -> list:
    if not lists:
        raise FunctionError("at least one argument is required")
    for number_, value in enumerate(lists, 1):
        if value is None:
            continue
        items = sequence(value, f"argument {number_}")
        if items:
            return items
    raise FunctionError("no non-null arguments")


def compact(items: Any) -> list[str]:
    out = []
    for item in known(sequence(items)):
        text = "" if item is None else string(item, "element")
        if text:
            out.append(text)
    return out


def concat(*lists: Any) -> list:
    if not lists:
        raise FunctionError("at least one argument is required")
    out: list = []
    for number_, value in enumerate(lists, 1):
        out.extend(sequence(value, f"argument {number_}"))
        bounded_length(len(out))
    return out


def contains(items: Any, value: Any) -> bool:
    unknown = None
    for item in sequence(items):
        found = first_unknown_in(item)
        if found is not None:
            unknown = unknown or found
        elif same(item, value):
            return True
    if unknown is not None:
        raise UnknownInside(unknown)
    return False


def first_unknown_in(value: Any) -> Unknown | None:
    try:
        known(value)
    except UnknownInside as inside:
        return inside.unknown
    return None


def distinct(items: Any) -> list:
    return distinct_values(unify(known(sequence(items))))


def element(items: Any, index: Any) -> Any:
    values, position = sequence(items), integer(index, "index")
    if not values:
        raise FunctionError("cannot use element function with an empty list")
    return values[position % len(values)]


def _flatten_into(items: list, out: list) -> None:
    for item in items:
        if isinstance(item, Unknown):
            raise UnknownInside(item)   # it may be a list that would be flattened
        if isinstance(item, list):
            _flatten_into(item, out)
        else:
            out.append(item)
    bounded_length(len(out))


def flatten(items: Any) -> list:
    out: list = []
    _flatten_into(sequence(items), out)
    return out


def index(items: Any, value: Any) -> int:
    values = sequence(items)
    if not values:
        raise FunctionError("cannot search an empty list")
    for position, item in enumerate(values):
        unknown = first_unknown_in(item)
        if unknown is not None:
            raise UnknownInside(unknown)
        if same(item, value):
            return position
    raise FunctionError("item not found")


def keys(value: Any) -> list[str]:
    return sorted(mapping(value))


def length(value: Any) -> int:
    if isinstance(value, str):
        return graphemes.count(string(value))
    if isinstance(value, (list, dict)):
        return len(value)
    if value is None:
        raise FunctionError("argument must not be null")
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def lookup(value: Any, key: Any, *default: Any) -> Any:
    table, name = mapping(value), string(key, "key")
    if len(default) > 1:
        raise FunctionError("lookup() takes two or three arguments")
    if name in table:
        return table[name]
    if default:
        return default[0]
    raise FunctionError("lookup failed to find the key")


def matchkeys(values: Any, keys_: Any, searchset: Any) -> list:
    wanted, key_list = sequence(values, "values"), known(sequence(keys_, "keys"))
    search = known(sequence(searchset, "searchset"))
    if len(wanted) != len(key_list):
        raise FunctionError("length of keys and values should be equal")
    unified = unify(key_list + search)
    key_list, search = unified[:len(key_list)], unified[len(key_list):]
    return [wanted[i] for i, key in enumerate(key_list) if any(same(key, s) for s in search)]


def merge(*maps: Any) -> dict:
    out: dict = {}
    for number_, value in enumerate(maps, 1):
        if value is None:
            continue
        out.update(mapping(value, f"argument {number_}"))
    return out


def one(items: Any) -> Any:
    values = sequence(items)
    if len(values) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return values[0] if values else None


def _exact(value: int | float) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def range_(*bounds: Any) -> list:
    """Terraform's range(): one to three numbers; steps add exactly (0.1 + 0.2 is 0.3)."""
    if not 1 <= len(bounds) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    numbers = [_exact(number(b)) for b in bounds]
    start, end = (Decimal(0), numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
    step = numbers[2] if len(numbers) == 3 else (Decimal(-1) if end < start else Decimal(1))
    if step == 0:
        raise FunctionError("step must not be zero")
    if (step < 0 and end > start) or (step > 0 and end < start):
        raise FunctionError("end must be on the side of start that step goes to")
    out: list = []
    current = start
    while (current < end) if step > 0 else (current > end):
        if len(out) >= MAX_RANGE_VALUES:
            raise FunctionError(f"more than {MAX_RANGE_VALUES} values were generated")
        out.append(number_result(int(current) if current == current.to_integral_value() else float(current)))
        current += step
    return out


def reverse(items: Any) -> list:
    return list(reversed(sequence(items)))


def slice_(items: Any, start: Any, end: Any) -> list:
    values, first, last = sequence(items), integer(start, "start index"), integer(end, "end index")
    if first < 0 or last < 0:
        raise FunctionError("indexes must not be less than zero")
    if first > len(values) or last > len(values):
        raise FunctionError("indexes must not be greater than the length of the list")
    if first > last:
        raise FunctionError("start index must not be greater than end index")
    return values[first:last]


def sort(items: Any) -> list[str]:
    values = known(sequence(items))
    if None in values:
        raise FunctionError("a null string cannot be sorted")
    return sorted(strings(values))


def sum_(items: Any) -> int | float:
    values = known(sequence(items))
    if not values:
        raise FunctionError("cannot sum an empty list")
    if any(v is None for v in values):
        raise FunctionError("argument must be list, set, or tuple of number values")
    numbers = [number(v, "element") for v in values]
    if all(isinstance(n, int) for n in numbers):
        return sum(numbers)
    return number_result(float(sum(_exact(n) for n in numbers)))


def transpose(value: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, items in known(mapping(value)).items():
        if items is None:
            raise FunctionError("input must not contain null list")
        for item in sequence(items, "value"):
            if item is None:
                raise FunctionError("input list must not contain null string")
            out.setdefault(string(item, "element"), []).append(key)
    return {k: sorted(v) for k, v in sorted(out.items())}


def values(value: Any) -> list:
    table = mapping(value)
    return [table[k] for k in sorted(table)]


def zipmap(keys_: Any, values_: Any) -> dict:
    names, items = known(sequence(keys_, "keys")), sequence(values_, "values")
    if len(names) != len(items):
        raise FunctionError(f"number of keys ({len(names)}) does not match number of values ({len(items)})")
    if None in names:
        raise FunctionError("keys list has a null value")
    return dict(zip(strings(names, "keys"), items))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "alltrue": alltrue, "anytrue": anytrue, "chunklist": chunklist, "coalescelist": coalescelist,
    "compact": compact, "concat": concat, "contains": contains, "distinct": distinct, "element": element,
    "flatten": flatten, "index": index, "keys": keys, "length": length, "lookup": lookup,
    "matchkeys": matchkeys, "merge": merge, "one": one, "range": range_, "reverse": reverse,
    "slice": slice_, "sort": sort, "sum": sum_, "transpose": transpose, "values": values, "zipmap": zipmap,
}

LENIENT: dict[str, Callable[..., Any]] = {"coalesce": coalesce}
"""Functions that look at their arguments in order, so an Unknown after the answer does not matter."""
