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
from scanner.parse.names import shared

# --- values: what evaluation makes, Unknown markers included ---------------------------------------------


def encode_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None or kind is bool or kind is int:
        return value
    if kind is dict:
        if all(type(k) is str and k[:1] != TAG for k in value):
            return {k: encode_value(v) for k, v in value.items()}
        return {TAG: "map", "items": [[_encode_key(k), encode_value(v)] for k, v in value.items()]}
    if kind is list:
        return [encode_value(v) for v in value]
    if kind is float:
        if math.isnan(value):
            raise Unencodable("NaN")
        return value
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


def _tagged(data: dict) -> Any:
    tag = data[TAG]
    if tag == "map" and set(data) == {TAG, "items"}:
        out = {}
        for pair in read_list(data["items"]):
            if not isinstance(pair, list) or len(pair) != 2:
                raise Malformed("pair")
            out[_key(pair[0])] = pair[1]
        return out
    if tag == "unknown" and set(data) == {TAG, "v"}:
        return Unknown(*_unknown(data["v"]))
    if tag == "one-of" and set(data) == {TAG, "v", "c"}:
        return OneOf(*_unknown(data["v"]), tuple(read_list(data["c"])))
    raise Malformed("tag")


def _key(key: Any) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key
    raise Malformed("mapping key")


def _unknown(data: Any) -> tuple[str, str | None, str | None, str]:
    if not isinstance(data, list) or len(data) != 4:
        raise Malformed("unknown")
    reason, refers_to, attribute, kind = data
    return read_text(reason), _optional_text(refers_to), _optional_text(attribute), read_text(kind)


# --- small checked pieces -----------------------------------------------------------------------------


def read_text(value: Any) -> str:
    if type(value) is not str:
        raise Malformed("text")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else read_text(value)


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise Malformed("integer")
    return value


def read_list(value: Any) -> list:
    if not isinstance(value, list):
        raise Malformed("list")
    return value


def _table(value: Any) -> dict:
    if not isinstance(value, dict) or TAG in value:
        raise Malformed("table")
    return value


def _texts(value: Any) -> frozenset[str]:
    return frozenset(read_text(t) for t in read_list(value))


def _encode_texts(value: Any) -> list[str]:
    if type(value) is not frozenset or not all(type(t) is str for t in value):
        raise Unencodable("set of names")
    return sorted(value)


def _encode_table(value: Any, encode: Callable[[Any], Any]) -> dict:
    """A dict of str keys (attribute paths) whose values `encode` writes."""
    if type(value) is not dict or not all(type(k) is str and k[:1] != TAG for k in value):
        raise Unencodable("table")
    return {k: encode(v) for k, v in value.items()}


def _encode_values(value: Any) -> Any:
    """A resource's values: a dict (its keys as encode_value writes them)."""
    if type(value) is not dict:
        raise Unencodable("values")
    return encode_value(value)


def _encode_lines(value: Any) -> dict:
    """Attribute path -> line, written as it is (json writes exactly this)."""
    if type(value) is not dict or not all(type(k) is str and k[:1] != TAG and type(n) is int for k, n in value.items()):
        raise Unencodable("lines")
    return value


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
    return Place(read_text(data[0]), _integer(data[1]))


# --- resources ----------------------------------------------------------------------------------------

Share = Callable[[str, Any], Any]   # TerraformModel.share: the one object kept for a field's equal tables


class _Tables:
    """Places, chains, provider values and attribute tables written once per entry and referred to by index:
    a root's resources share most of them (as the evaluated ones share the objects: TerraformModel.share),
    and reading a table once is faster."""

    def __init__(self) -> None:
        self.places: list[list] = []
        self.chains: list[list] = []
        self.shared: list[dict] = []
        self.maps: list[Any] = []
        self._places: dict[Place, int] = {}
        self._chains: dict[tuple, int] = {}
        self._shared: dict[int, int] = {}
        self._maps: dict[tuple[str, int], int] = {}

    def place(self, place: Any) -> int:
        encoded = encode_place(place)
        found = self._places.get(place)
        if found is None:
            found = self._places[place] = len(self.places)
            self.places.append(encoded)
        return found

    def chain(self, chain: Any) -> int:
        if type(chain) is not tuple:
            raise Unencodable("chain")
        links = []
        for link in chain:
            if type(link) is not tuple or len(link) != 2 or type(link[1]) is not str:
                raise Unencodable("chain link")
            links.append([self.place(link[0]), link[1]])
        found = self._chains.get(chain)
        if found is None:
            found = self._chains[chain] = len(self.chains)
            self.chains.append(links)
        return found

    def provider_values(self, values: Any) -> int:
        """By identity: resources that shared one dict share one again when read."""
        found = self._shared.get(id(values))
        if found is None:
            found = self._shared[id(values)] = len(self.shared)
            self.shared.append(_encode_values(values))
        return found

    def map(self, field: str, table: Any, encode: Callable[[Any], Any]) -> int:
        """An attribute table of `field` (locations, references, ...), by identity, as provider_values."""
        found = self._maps.get((field, id(table)))
        if found is None:
            found = self._maps[(field, id(table))] = len(self.maps)
            self.maps.append(encode(table))
        return found


def _encode_resource(resource: Any, tables: _Tables) -> list:
    if type(resource) is not Resource or resource.facts:
        raise Unencodable("resource")   # facts are the derive pass's, made after evaluation
    r = resource
    return [checked_text(r.kind), checked_text(r.type), checked_text(r.address), checked_text(r.path),
            _encode_line(r.line), _encode_values(r.values), tables.map("locations", r.locations, _encode_lines),
            _encode_texts(r.literal_paths),
            tables.map("references", r.references, lambda t: _encode_table(t, _encode_texts)),
            checked_text(r.provider), checked_text(r.module), checked_text(r.root), checked_text(r.pod_spec_path),
            _encode_line(r.end_line), tables.map("origins", r.origins, lambda t: _encode_table(t, tables.place)),
            tables.map("chains", r.chains, lambda t: _encode_table(t, tables.chain)),
            None if r.call_site is None else tables.place(r.call_site),
            None if r.user_site is None else tables.place(r.user_site),
            _encode_texts(r.passthrough), tables.map("places", r.places, lambda t: _encode_table(t, tables.place)),
            tables.provider_values(r.provider_values)]


def checked_text(value: Any) -> str:
    if type(value) is not str:
        raise Unencodable("text")
    return value


def encode_resources(resources: list[Resource]) -> dict:
    tables = _Tables()
    rows = [_encode_resource(resource, tables) for resource in resources]
    return {"places": tables.places, "chains": tables.chains, "shared": tables.shared, "maps": tables.maps,
            "resources": rows}


def decode_resources(data: Any, share: Share | None = None) -> list[Resource]:
    """Resources from what encode_resources wrote, read with `object_hook` (so values are decoded already).
    `share`: keeps one object for equal tables across entries (TerraformModel.share), as evaluating does."""
    if not isinstance(data, dict) or set(data) != {"places", "chains", "shared", "maps", "resources"}:
        raise Malformed("resources")
    places = [decode_place(p) for p in read_list(data["places"])]
    chains = [tuple((read_at(places, place), read_text(role)) for place, role in map(_link, read_list(c)))
              for c in read_list(data["chains"])]
    shared = [_plain_table(v) for v in read_list(data["shared"])]
    reading = _Reading(places, chains, shared, read_list(data["maps"]), share or _unshared)
    return [reading.resource(row) for row in read_list(data["resources"])]


def _unshared(field: str, table: Any) -> Any:
    return table


class _Reading:
    """One entry's tables, and what its resources share: a str object per distinct path, root, module..., a
    frozenset per distinct set of names, one table per distinct attribute table (immutable, as the evaluated
    resources share them)."""

    def __init__(self, places: list[Place], chains: list[tuple], shared: list[dict], maps: list, share: Share):
        self.places, self.chains, self.shared, self.maps, self.share = places, chains, shared, maps, share
        self.texts: dict[str, str] = {}
        self.sets: dict[tuple, frozenset[str]] = {}
        self.read: dict[tuple[str, Any], Any] = {}
        self.empty_provider_values = share("provider_values", {})

    def names(self, value: Any) -> frozenset[str]:
        key = tuple(read_list(value))
        found = self.sets.get(key)
        if found is None:
            found = self.sets[key] = _texts(value)
        return found

    def table(self, field: str, index: Any, decode: Callable[[dict], dict]) -> dict:
        """Map `index` of the entry read as a table of `field`, once per entry, kept as TerraformModel.share keeps it."""
        if type(index) is not int:
            raise Malformed("index")
        found = self.read.get((field, index))
        if found is None:
            table = decode(_table(read_at(self.maps, index)))
            found = self.read[(field, index)] = self.share(field, table)
        return found

    def _lines(self, table: dict) -> dict:
        if not all(type(v) is int for v in table.values()):
            raise Malformed("locations")
        return table

    def _references(self, table: dict) -> dict:
        return {k: self.names(v) for k, v in table.items()}

    def _places(self, table: dict) -> dict:
        return {k: read_at(self.places, v) for k, v in table.items()}

    def _chains(self, table: dict) -> dict:
        return {k: read_at(self.chains, v) for k, v in table.items()}

    def resource(self, row: Any) -> Resource:
        if not isinstance(row, list) or len(row) != _ROW:
            raise Malformed("resource")
        (kind, type_, address, path, line, values, locations, literal_paths, references, provider, module, root,
         pod_spec_path, end_line, origins, chain_table, call_site, user_site, passthrough, place_table, at) = row
        texts = (kind, type_, address, path, provider, module, root, pod_spec_path)
        if not all(type(t) is str for t in texts) or type(line) is not int or type(end_line) is not int:
            raise Malformed("resource fields")
        text, places, names, table = self.texts.setdefault, self.places, self.names, self.table
        provider_values = read_at(self.shared, at)
        return Resource(
            text(kind, kind), text(type_, type_), address, text(path, path), line, _plain_table(values),
            table("locations", locations, self._lines), self.share("literals", names(literal_paths)),
            table("references", references, self._references), text(provider, provider),
            module=text(module, module), root=text(root, root), pod_spec_path=pod_spec_path, end_line=end_line,
            origins=table("origins", origins, self._places), chains=table("chains", chain_table, self._chains),
            call_site=None if call_site is None else read_at(places, call_site),
            user_site=None if user_site is None else read_at(places, user_site),
            passthrough=names(passthrough), places=table("places", place_table, self._places),
            provider_values=provider_values or self.empty_provider_values)


_ROW = 21


def _link(data: Any) -> tuple[Any, Any]:
    if not isinstance(data, list) or len(data) != 2:
        raise Malformed("chain link")
    return data[0], data[1]


def read_at(table: list, index: Any) -> Any:
    if type(index) is not int or not 0 <= index < len(table):
        raise Malformed("index")
    return table[index]


def _plain_table(value: Any) -> dict:
    """A dict of values (object_hook decoded them): str keys, as encode wrote."""
    if type(value) is not dict:
        raise Malformed("table")
    return value


def object_hook(data: dict) -> Any:
    """json.loads' object_hook for entries: a tagged object becomes the value encode_value wrote it for. Short
    keys and texts are shared (parse/names.py): evaluating gives every resource that copies a value the same
    str object, where JSON makes a new one each time (on the corpus, 236,000 texts of 16,000 distinct ones:
    8 MB more for the roots read from the cache, or sent back by a worker, than for those evaluated here)."""
    if TAG in data:
        return _tagged(data)
    return {shared(k): shared(v) if type(v) is str else v for k, v in data.items()}


# --- notices ------------------------------------------------------------------------------------------

def encode_notices(notices: list[Notice]) -> list:
    out = []
    for notice in notices:
        if type(notice) is not Notice:
            raise Unencodable("notice")
        out.append([checked_text(notice.path), _encode_line(notice.line), checked_text(notice.message),
                    checked_text(notice.level), checked_text(notice.kind)])
    return out


def decode_notices(data: Any) -> list[Notice]:
    notices = []
    for item in read_list(data):
        if not isinstance(item, list) or len(item) != 5:
            raise Malformed("notice")
        path, line, message, level, kind = item
        notices.append(Notice(read_text(path), _integer(line), read_text(message), read_text(level), read_text(kind)))
    return notices
