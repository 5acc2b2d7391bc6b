"""Which lists a strategic-merge patch merges by key: kustomize's built-in OpenAPI schema, as data.

A Schema points at a definition (fields are looked up in it) or describes a list that merges by keys.
LEAF stands for a field the schema knows but with no keyed lists below it; None for no schema at all
(custom resources), where kustomize looks for an embedded apiVersion/kind before giving up.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from scanner.parse.yaml import packaged


@dataclass(frozen=True)
class Schema:
    definition: str | None = None                 # an object: its fields are looked up here
    merge_keys: tuple[str, ...] | None = None     # a list merged element by element (empty: scalars)
    items: str | None = None                      # the definition of such a list's elements


LEAF = Schema()


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return dict(packaged("scanner.model.kustomize", "openapi_merge_keys.yaml"))


def for_kind(api_version: object, kind: object) -> Schema | None:
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    kinds = _data()["kinds"]
    key = f"{api_version} {kind}"
    if key not in kinds:
        return None
    return Schema(kinds[key]) if kinds[key] else LEAF


def field(schema: Schema, name: object) -> Schema:
    if schema.definition is None:
        return LEAF
    properties = _data()["definitions"].get(schema.definition, {})
    entry = properties.get(name) if isinstance(name, str) else None
    if entry is None:
        return LEAF
    if isinstance(entry, str):
        return Schema(entry)
    return Schema(None, tuple(entry["merge"]), entry.get("items"))


def elements(schema: Schema) -> Schema:
    return Schema(schema.items) if schema.items else LEAF
