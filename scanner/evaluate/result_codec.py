"""A scan's Result as JSON data and back, for the result cache (scanner/result_cache.py).

The Result is a tree of frozen dataclasses holding strings, numbers, booleans, lists, tuples and JSON
mappings; a dataclass is written as the list of its fields' values, in the order the class declares them (not
as an object naming each), and the passed checks as a table: each distinct text once, then five numbers per
check (its policy, resource, file and root as indexes into the texts, and its line). A large tree's result
holds hundreds of thousands of passed checks, each naming its file twice: read back as objects with their own
strings, they took as much memory as scanning the tree. Policies are written as their ids and found again
among the scan's own policies (which are part of the cache key). Reading is typed by the dataclasses'
annotations and checks every value against them: an entry someone wrote by hand with a wrong type or number
of fields, or an index outside its table, is Malformed (a miss), never a Result that breaks a report. A short
text read back is one object for all its copies.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
import types
from typing import Any, Callable, Iterator, Union, get_args, get_origin, get_type_hints

from scanner.evaluate import waivers
from scanner.evaluate.policies import Policy
from scanner.evaluate.result import (ExitReadiness, HavenSummary, Passed, ProviderPosture, ResidencySummary,
                                     Result, within_domains)
from scanner.parse.names import shared


class Malformed(ValueError):
    """The data is not what encode writes."""


class Unencodable(ValueError):
    """The Result holds a value JSON cannot keep exactly."""


# Names the Result module imports only for type checking; its annotations need them to be resolved.
_ANNOTATION_NAMES = {"HavenSummary": HavenSummary, "ProviderPosture": ProviderPosture,
                     "ResidencySummary": ResidencySummary, "ExitReadiness": ExitReadiness,
                     "WaiverEntry": waivers.WaiverEntry}


BATCH = 1000   # list items made plain and written as JSON at a time


def encode(result: Result, files: int) -> bytes:
    return b"".join(encode_pieces(result, files))


def encode_pieces(result: Result, files: int) -> Iterator[bytes]:
    """The JSON of {"files": files, "result": <the result made plain>}, in pieces: a long list BATCH items at
    a time. Made whole, the plain tree, the JSON text and the encoder's parts of it were 26 MB at once on the
    corpus (37,678 passed checks), the top of a cold run's memory; a large tree's result, more."""
    yield b'{"files":' + _json(files) + b',"result":'
    yield from _pieces(result)
    yield b"}"


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def _pieces(value: Any) -> Iterator[bytes]:
    """_json(plain(value)), the same bytes, in pieces."""
    names = () if isinstance(value, Policy) else _field_names(type(value))
    if names:
        tabled = _tabled(type(value))
        for index, name in enumerate(names):
            yield b"," if index else b"["
            if name in tabled:
                yield from _passed_pieces(getattr(value, name))
            else:
                yield from _pieces(getattr(value, name))
        yield b"]"
    elif isinstance(value, (list, tuple)) and len(value) > BATCH:
        for start in range(0, len(value), BATCH):
            batch = _json([plain(item) for item in value[start:start + BATCH]])
            yield (b"," if start else b"[") + batch[1:-1]
        yield b"]"
    else:
        yield _json(plain(value))


def decode(body: bytes, policies: tuple[Policy, ...]) -> tuple[Result, int]:
    data = json.loads(body)
    if not isinstance(data, dict) or set(data) != {"files", "result"}:
        raise Malformed("entry")
    files = typed(data["files"], int, {})
    result = typed(data["result"], Result, {p.id: p for p in policies})
    if not within_domains(result):
        raise Malformed("a value a report looks up is outside its table")
    return result, files


def plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):     # most values: checked first
        return value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Policy):
        return value.id
    names = _field_names(type(value))
    if names:
        tabled = _tabled(type(value))
        return [_passed_table(getattr(value, name)) if name in tabled else plain(getattr(value, name))
                for name in names]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise Unencodable("a mapping with keys that are not strings")
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise Unencodable(type(value).__name__)


PASSED_CHECKS = list[Passed]   # written as a table, the one list that grows with the tree
PASSED_FIELDS = 5              # numbers per passed check in the table: policy, address, path, line, root


def _passed_batches(passed: list[Passed], index: dict[str, int]) -> Iterator[list[int]]:
    """The checks' numbers, BATCH checks at a time; `index` gets each text's number as it is first met."""
    for start in range(0, len(passed), BATCH):
        yield [n for p in passed[start:start + BATCH] for n in (
            index.setdefault(p.policy_id, len(index)), index.setdefault(p.address, len(index)),
            index.setdefault(p.path, len(index)), p.line, index.setdefault(p.root, len(index)))]


def _passed_table(passed: list[Passed]) -> dict[str, list]:
    """{"checks": [policy, address, path, line, root, policy, ...], "texts": [distinct texts]}: the texts by
    their index."""
    index: dict[str, int] = {}
    checks = [n for batch in _passed_batches(passed, index) for n in batch]
    return {"checks": checks, "texts": list(index)}


def _passed_pieces(passed: list[Passed]) -> Iterator[bytes]:
    """_json(_passed_table(passed)) in pieces (the texts come last: they are known once every check is)."""
    index: dict[str, int] = {}
    yield b'{"checks":['
    for number, batch in enumerate(_passed_batches(passed, index)):
        yield (b"," if number else b"") + _json(batch)[1:-1]
    yield b'],"texts":' + _json(list(index)) + b"}"


def _read_passed_table(data: Any, policies: dict[str, Policy]) -> list[Passed]:
    if type(data) is not dict or data.keys() != {"texts", "checks"}:
        raise Malformed("the passed checks")
    texts, numbers = _decoder(list[str])(data["texts"], policies), data["checks"]
    if type(numbers) is not list or not all(type(n) is int for n in numbers):   # checked in place: a million
        raise Malformed("the passed checks' numbers")
    if len(numbers) % PASSED_FIELDS or min(numbers, default=0) < 0 or \
            max((n for i, n in enumerate(numbers) if i % PASSED_FIELDS != 3), default=-1) >= len(texts):
        raise Malformed("the passed checks' numbers")
    read: dict[tuple[int, ...], Passed] = {}   # one object for a policy's checks that held on one target, as judged

    def passed(numbers: tuple[int, ...]) -> Passed:
        found = read.get(numbers)
        if found is None:
            found = read[numbers] = Passed(texts[numbers[0]], texts[numbers[1]], texts[numbers[2]], numbers[3],
                                           texts[numbers[4]])
        return found
    return [passed(tuple(numbers[i:i + PASSED_FIELDS])) for i in range(0, len(numbers), PASSED_FIELDS)]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_TABLED: dict[type, frozenset[str]] = {}


def _tabled(cls: type) -> frozenset[str]:
    """The fields of a dataclass written as the passed checks' table."""
    names = _TABLED.get(cls)
    if names is None:
        names = _TABLED[cls] = frozenset(name for name, hint in _hints(cls).items() if hint == PASSED_CHECKS)
    return names


def _field_names(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order; none for any other type."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields)
    return names


Decoder = Callable[[Any, dict[str, Policy]], Any]


def typed(data: Any, hint: Any, policies: dict[str, Policy] | None = None) -> Any:
    """`data` as the type `hint` says, or Malformed (a Policy is found by its id among `policies`)."""
    return _decoder(hint)(data, policies or {})


@functools.lru_cache(maxsize=None)
def _decoder(hint: Any) -> Decoder:
    """A function that reads data of type `hint`, made once per type (a cached result has tens of thousands
    of values of a few types)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint == PASSED_CHECKS:
        return _read_passed_table
    if hint is Any:
        return lambda data, policies: data
    if origin in (Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"no decoder for {hint}")
        return _optional(_decoder(kinds[0]))
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return _sequence(_decoder(args[0]), list if origin is list else tuple)
    if origin is tuple:
        return _fixed(tuple(_decoder(kind) for kind in args))
    if origin is dict or hint is dict:
        return _mapping(_decoder(args[1] if args else Any))
    if hint is Policy:
        return _policy
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _instance(hint, tuple((name, _decoder(kind)) for name, kind in _hints(hint).items()))
    if hint in (str, int, bool):
        return _exactly(hint)
    raise TypeError(f"no decoder for {hint}")


def _optional(inner: Decoder) -> Decoder:
    return lambda data, policies: None if data is None else inner(data, policies)


def _sequence(inner: Decoder, make: type) -> Decoder:
    def read(data: Any, policies: dict[str, Policy]) -> Any:
        if type(data) is not list:
            raise Malformed("not a list")
        return make([inner(item, policies) for item in data])
    return read


def _fixed(inners: tuple[Decoder, ...]) -> Decoder:
    def read(data: Any, policies: dict[str, Policy]) -> Any:
        if type(data) is not list or len(data) != len(inners):
            raise Malformed(f"not a list of {len(inners)}")
        return tuple(inner(item, policies) for inner, item in zip(inners, data))
    return read


def _mapping(inner: Decoder) -> Decoder:
    def read(data: Any, policies: dict[str, Policy]) -> Any:
        if type(data) is not dict:
            raise Malformed("not a mapping")
        return {key: inner(item, policies) for key, item in data.items()}
    return read


def _policy(data: Any, policies: dict[str, Policy]) -> Policy:
    if not isinstance(data, str) or data not in policies:
        raise Malformed(f"policy {data!r} is not among the scan's policies")
    return policies[data]


def _instance(cls: type, fields: tuple[tuple[str, Decoder], ...]) -> Decoder:
    def read(data: Any, policies: dict[str, Policy]) -> Any:
        if type(data) is not list or len(data) != len(fields):
            raise Malformed(f"the fields of {cls.__name__}")
        return cls(**{name: inner(item, policies) for (name, inner), item in zip(fields, data)})
    return read


def _exactly(kind: type) -> Decoder:
    def read(data: Any, policies: dict[str, Policy]) -> Any:
        if type(data) is not kind:
            raise Malformed(f"{type(data).__name__} where {kind.__name__} belongs")
        if isinstance(data, int) and data < 0:   # every number a result holds is a line or a count
            raise Malformed("a negative number")
        if isinstance(data, str) and not data.isascii():
            try:
                data.encode("utf-8")
            except UnicodeEncodeError:   # a lone surrogate ("\ud800" in the JSON) no report could write
                raise Malformed("text that is not Unicode") from None
        return shared(data) if kind is str else data
    return read


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    """The dataclass's field types, resolved (its module writes them as strings)."""
    resolved = get_type_hints(cls, localns=_ANNOTATION_NAMES)
    return {f.name: resolved[f.name] for f in dataclasses.fields(cls)}
