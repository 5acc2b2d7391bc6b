"""The default-location registry (default-locations.yaml): where a resource's data lands when its location
attribute is left out (a BigQuery dataset: the US multi-region, whatever the provider's region)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from scanner.registries import document


@dataclass(frozen=True)
class DefaultLocation:
    type: str
    attribute: str
    value: str | None = None      # the location used when the attribute is absent
    unconstrained: str = ""       # instead: no location constraint applies, and what that means
    from_provider: str = ""       # instead: the provider block's region or zone is used
    required: bool = False        # instead: the provider rejects the resource without it
    source: str = ""


def _entry(type_name: str, data: Mapping[str, Any]) -> DefaultLocation:
    value = data.get("default")
    return DefaultLocation(type_name, str(data["attribute"]), None if value is None else str(value),
                           str(data.get("unconstrained", "")), str(data.get("from_provider", "")),
                           bool(data.get("required", False)), str(data["source"]))


@functools.lru_cache(maxsize=1)
def default_locations() -> Mapping[str, DefaultLocation]:
    """Resource type -> its default-location fact."""
    return {str(t): _entry(str(t), data) for t, data in document("default-locations")["resources"].items()}


def _plain(path: str) -> str:
    return path.replace("[*]", "")


def default_location(type_name: str, paths: Iterable[str]) -> DefaultLocation | None:
    """The fact for this type when its attribute is one of `paths` (the attributes a check reads)."""
    entry = default_locations().get(type_name)
    if entry is None or _plain(entry.attribute) not in {_plain(p) for p in paths}:
        return None
    return entry


def as_of() -> str:
    return str(document("default-locations")["as_of"])
