"""What evaluating a Terraform root module produced (Resources and notices), as plain JSON data and back:
the root cache's entries (scanner/model/terraform/cache.py).

The same rules as the parse cache's codec (scanner/parse/codec.py): only data, decoded into the model's own
dataclasses by their fields, never a name looked up; strict, so anything that is not exactly what `encode`
writes raises Malformed and the entry is a miss. Types are checked exactly (`type(v) is str`, not
isinstance): a subclass, a tuple where the model keeps a list, NaN, or a value of a type evaluation does not
make raises Unencodable, and the root is evaluated again next time instead of read back different.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from scanner.model.rendered import Place
from scanner.model.resource import Resource
from scanner.model.values import OneOf, Unknown
from scanner.notices import Notice
from scanner.parse.codec import TAG, Malformed, Unencodable

# --- values: what evaluation makes, Unknown markers included ---------------------------------------------


def encode_value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (str, bool, int):
        return value
    if kind is float:
        if math.isnan(value):
            raise Unencodable("NaN")
        return value
    if kind is list:
        return [encode_value(v) for v in value]
    if kind is dict:
        if all(type(k) is str and not k.startswith(TAG) for k in value):
            return {k: encode_value(v) for k, v in value.items()}
        return {TAG: "map", "items": [[_encode_key(k), encode_value(v)] for k, v in value.items()]}
    if kind is Unknown:
        return {TAG: "unknown", "v": _unknown_fields(value)}
    if kind is OneOf:
        return {TAG: "one-of", "v": _unknown_fields(value), "c": [encode_value(c) for c in value.candidates]}
    raise Unencodable(kind.__name__)


def _encode_key(key: Any) -> Any:
    if key is None or type(key) in (str, int, bool) or (type(key) is float and not math.isnan(key)):
        return key
    raise Unencodable("mapping key")


def _unknown_fields(value: Unknown) -> list:
    for text in (value.refers_to, value.attribute):
        if text is not None and type(text) is not str:
            raise Unencodable("unknown field")
    if type(value.reason) is not str or type(value.kind) is not str:
        raise Unencodable("unknown field")
    return [value.reason, value.refers_to, value.attribute, value.kind]


def decode_value(data: Any) -> Any:
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        raise Malformed("value")
    if TAG not in data:
        return {k: decode_value(v) for k, v in data.items()}
    return _tagged(data)


def _tagged(data: dict) -> Any:
    tag = data[TAG]
    if tag == "map" and set(data) == {TAG, "items"}:
        out = {}
        for pair in _items(data["items"]):
            if not isinstance(pair, list) or len(pair) != 2:
                raise Malformed("pair")
            out[_key(pair[0])] = decode_value(pair[1])
        return out
    if tag == "unknown" and set(data) == {TAG, "v"}:
        return Unknown(*_unknown(data["v"]))
    if tag == "one-of" and set(data) == {TAG, "v", "c"}:
        return OneOf(*_unknown(data["v"]), tuple(decode_value(c) for c in _items(data["c"])))
    raise Malformed("tag")


def _key(key: Any) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key
    raise Malformed("mapping key")


def _unknown(data: Any) -> tuple[str, str | None, str | None, str]:
    if not isinstance(data, list) or len(data) != 4:
        raise Malformed("unknown")
    reason, refers_to, attribute, kind = data
    return _text(reason), _optional_text(refers_to), _optional_text(attribute), _text(kind)


# --- small checked pieces -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if type(value) is not str:
        raise Malformed("text")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise Malformed("integer")
    return value


def _items(value: Any) -> list:
    if not isinstance(value, list):
        raise Malformed("list")
    return value


def _table(value: Any) -> dict:
    if not isinstance(value, dict) or TAG in value:
        raise Malformed("table")
    return value


def _texts(value: Any) -> frozenset[str]:
    return frozenset(_text(t) for t in _items(value))


def _encode_texts(value: Any) -> list[str]:
    if type(value) is not frozenset or not all(type(t) is str for t in value):
        raise Unencodable("set of names")
    return sorted(value)


def _encode_table(value: Any, encode: Callable[[Any], Any]) -> dict:
    """A dict of str keys (attribute paths) whose values `encode` writes."""
    if type(value) is not dict or not all(type(k) is str and not k.startswith(TAG) for k in value):
        raise Unencodable("table")
    return {k: encode(v) for k, v in value.items()}


def _decode_table(value: Any, decode: Callable[[Any], Any]) -> dict:
    return {k: decode(v) for k, v in _table(value).items()}


def _encode_line(value: Any) -> int:
    if type(value) is not int:
        raise Unencodable("line")
    return value


def encode_place(place: Any) -> list:
    if type(place) is not Place or type(place.path) is not str or type(place.line) is not int:
        raise Unencodable("place")
    return [place.path, place.line]


def decode_place(data: Any) -> Place:
    if not isinstance(data, list) or len(data) != 2:
        raise Malformed("place")
    return Place(_text(data[0]), _integer(data[1]))


def _encode_optional_place(place: Any) -> list | None:
    return None if place is None else encode_place(place)


def _decode_optional_place(data: Any) -> Place | None:
    return None if data is None else decode_place(data)


def _encode_chain(chain: Any) -> list:
    if type(chain) is not tuple:
        raise Unencodable("chain")
    out = []
    for link in chain:
        if type(link) is not tuple or len(link) != 2 or type(link[1]) is not str:
            raise Unencodable("chain link")
        out.append([encode_place(link[0]), link[1]])
    return out


def _decode_chain(data: Any) -> tuple[tuple[Place, str], ...]:
    links = []
    for link in _items(data):
        if not isinstance(link, list) or len(link) != 2:
            raise Malformed("chain link")
        links.append((decode_place(link[0]), _text(link[1])))
    return tuple(links)


# --- resources ----------------------------------------------------------------------------------------

# Resource fields in the order they are written; each row: name, encode, decode. `provider_values` is written
# apart (a table of the distinct ones), so resources that shared one dict share one again when read.
_FIELDS: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("kind", lambda v: _checked_text(v), _text),
    ("type", lambda v: _checked_text(v), _text),
    ("address", lambda v: _checked_text(v), _text),
    ("path", lambda v: _checked_text(v), _text),
    ("line", _encode_line, _integer),
    ("values", lambda v: _encode_table(v, encode_value), lambda d: _decode_table(d, decode_value)),
    ("locations", lambda v: _encode_table(v, _encode_line), lambda d: _decode_table(d, _integer)),
    ("literal_paths", _encode_texts, _texts),
    ("references", lambda v: _encode_table(v, _encode_texts), lambda d: _decode_table(d, _texts)),
    ("provider", lambda v: _checked_text(v), _text),
    ("module", lambda v: _checked_text(v), _text),
    ("root", lambda v: _checked_text(v), _text),
    ("pod_spec_path", lambda v: _checked_text(v), _text),
    ("end_line", _encode_line, _integer),
    ("origins", lambda v: _encode_table(v, encode_place), lambda d: _decode_table(d, decode_place)),
    ("chains", lambda v: _encode_table(v, _encode_chain), lambda d: _decode_table(d, _decode_chain)),
    ("call_site", _encode_optional_place, _decode_optional_place),
    ("user_site", _encode_optional_place, _decode_optional_place),
    ("passthrough", _encode_texts, _texts),
    ("places", lambda v: _encode_table(v, encode_place), lambda d: _decode_table(d, decode_place)),
]


def _checked_text(value: Any) -> str:
    if type(value) is not str:
        raise Unencodable("text")
    return value


def encode_resources(resources: list[Resource]) -> dict:
    """{"shared": the distinct provider_values dicts, "resources": [fields..., index into shared]}. Facts are
    the derive pass's, made after evaluation: a resource that already has some is not written."""
    shared: list[dict] = []
    index: dict[int, int] = {}
    rows = []
    for resource in resources:
        if type(resource) is not Resource or resource.facts:
            raise Unencodable("resource")
        row = [encode(getattr(resource, name)) for name, encode, _ in _FIELDS]
        values = resource.provider_values
        if id(values) not in index:
            index[id(values)] = len(shared)
            shared.append(values)
        row.append(index[id(values)])
        rows.append(row)
    return {"shared": [_encode_table(v, encode_value) for v in shared], "resources": rows}


def decode_resources(data: Any) -> list[Resource]:
    if not isinstance(data, dict) or set(data) != {"shared", "resources"}:
        raise Malformed("resources")
    shared = [_decode_table(v, decode_value) for v in _items(data["shared"])]
    resources = []
    for row in _items(data["resources"]):
        if not isinstance(row, list) or len(row) != len(_FIELDS) + 1:
            raise Malformed("resource")
        fields = {name: decode(item) for (name, _, decode), item in zip(_FIELDS, row)}
        at = _integer(row[-1])
        if not 0 <= at < len(shared):
            raise Malformed("provider values")
        resources.append(Resource(**fields, provider_values=shared[at]))
    return resources


# --- notices ------------------------------------------------------------------------------------------

def encode_notices(notices: list[Notice]) -> list:
    out = []
    for notice in notices:
        if type(notice) is not Notice:
            raise Unencodable("notice")
        out.append([_checked_text(notice.path), _encode_line(notice.line), _checked_text(notice.message),
                    _checked_text(notice.level), _checked_text(notice.kind)])
    return out


def decode_notices(data: Any) -> list[Notice]:
    notices = []
    for item in _items(data):
        if not isinstance(item, list) or len(item) != 5:
            raise Malformed("notice")
        path, line, message, level, kind = item
        notices.append(Notice(_text(path), _integer(line), _text(message), _text(level), _text(kind)))
    return notices
