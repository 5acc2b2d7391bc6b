"""The pure Terraform functions the model evaluates statically; any other function yields Unknown.

Each takes already-evaluated arguments. An Unknown argument makes the result Unknown, except for
`try`, `coalesce` and `can`, whose point is to look past values (handled in the evaluator).
"""
from __future__ import annotations

import json
from typing import Any, Callable

from scanner.model.values import Unknown


def _merge(*maps: Any) -> Any:
    out: dict = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            return Unknown("merge() of a non-object")
        out.update(item)
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, dict) and key in mapping:
        return mapping[key]
    if default:
        return default[0]
    return Unknown(f"lookup() of missing key {key!r}")


def _concat(*lists: Any) -> Any:
    out: list = []
    for item in lists:
        if not isinstance(item, list):
            return Unknown("concat() of a non-list")
        out.extend(item)
    return out


def _element(items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items or not isinstance(index, int):
        return Unknown("element() out of range")
    return items[index % len(items)]


def _format(fmt: Any, *args: Any) -> Any:
    text = str(fmt).replace("%%", "\0")
    for arg in args:
        for spec in ("%s", "%d", "%v", "%q"):
            if spec in text:
                shown = json.dumps(arg) if spec == "%q" else _to_string(arg)
                text = text.replace(spec, shown, 1)
                break
    return text.replace("\0", "%")


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _join(separator: Any, *lists: Any) -> Any:
    items: list = []
    for item in lists:
        if not isinstance(item, list):
            return Unknown("join() of a non-list")
        items.extend(item)
    return str(separator).join(_to_string(i) for i in items)


def _split(separator: Any, text: Any) -> Any:
    return str(text).split(str(separator))


def _keys(mapping: Any) -> Any:
    return sorted(mapping) if isinstance(mapping, dict) else Unknown("keys() of a non-object")


def _values(mapping: Any) -> Any:
    return [mapping[k] for k in sorted(mapping)] if isinstance(mapping, dict) else Unknown("values() of a non-object")


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict, str)) else Unknown("length() of a scalar")


def _contains(items: Any, value: Any) -> Any:
    return value in items if isinstance(items, list) else Unknown("contains() of a non-list")


def _toset(items: Any) -> Any:
    if not isinstance(items, list):
        return Unknown("toset() of a non-list")
    out: list = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return Unknown("flatten() of a non-list")
    out: list = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _replace(text: Any, old: Any, new: Any) -> Any:
    if str(old).startswith("/") and str(old).endswith("/"):
        return Unknown("replace() with a regular expression")
    return str(text).replace(str(old), str(new))


def _zipmap(keys: Any, values: Any) -> Any:
    if not isinstance(keys, list) or not isinstance(values, list):
        return Unknown("zipmap() of non-lists")
    return dict(zip(keys, values))


def _tonumber(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return Unknown("tonumber() of a non-number")
    return int(number) if number.is_integer() else number


def _tobool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return Unknown("tobool() of a non-bool")


def _distinct(items: Any) -> Any:
    return _toset(items)


def _compact(items: Any) -> Any:
    return [i for i in items if i not in ("", None)] if isinstance(items, list) else Unknown("compact() of a non-list")


def _range(*args: Any) -> Any:
    if not all(isinstance(a, int) for a in args) or len(args) > 3:
        return Unknown("range() of non-integers")
    values = list(range(*args))
    return values if len(values) <= 10_000 else Unknown("range() too large")


def _min(*args: Any) -> Any:
    return min(args) if args else Unknown("min() of nothing")


def _max(*args: Any) -> Any:
    return max(args) if args else Unknown("max() of nothing")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "lookup": _lookup,
    "concat": _concat,
    "element": _element,
    "format": _format,
    "join": _join,
    "split": _split,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "title": lambda s: str(s).title(),
    "trimspace": lambda s: str(s).strip(),
    "trimprefix": lambda s, p: str(s)[len(str(p)):] if str(s).startswith(str(p)) else str(s),
    "trimsuffix": lambda s, p: str(s)[: -len(str(p))] if p and str(s).endswith(str(p)) else str(s),
    "substr": lambda s, o, n: str(s)[o: (o + n) if n >= 0 else None],
    "replace": _replace,
    "tostring": lambda v: v if isinstance(v, str) else _to_string(v),
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": lambda v: list(v) if isinstance(v, list) else Unknown("tolist() of a non-list"),
    "toset": _toset,
    "tomap": lambda v: v if isinstance(v, dict) else Unknown("tomap() of a non-object"),
    "keys": _keys,
    "values": _values,
    "length": _length,
    "contains": _contains,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": _compact,
    "zipmap": _zipmap,
    "range": _range,
    "min": _min,
    "max": _max,
    "abs": lambda n: abs(n),
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True),
    "jsondecode": lambda s: json.loads(s),
    "startswith": lambda s, p: str(s).startswith(str(p)),
    "endswith": lambda s, p: str(s).endswith(str(p)),
    "one": lambda v: (v[0] if v else None) if isinstance(v, list) and len(v) <= 1 else Unknown("one() of a list longer than one"),
}
