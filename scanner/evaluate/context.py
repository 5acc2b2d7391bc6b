"""What a predicate may look at besides the resource: the whole model (with its indexes and derived
facts), the configuration, and the scan's date. Registries are read through scanner.registries."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from scanner.config import Config
from scanner.model.repository import REPOSITORY_TYPE, nested_in
from scanner.model.resource import Model, Resource, base_address
from scanner.model.values import Unknown
from scanner.registries.regions import RegionRegistry, regions

__all__ = ["Context", "base_address", "may_refer"]


def may_refer(other: Resource, via: str) -> str:
    """Why `other`'s attribute `via` may refer to a resource it does not name: the value, or an entry of the list
    (`resources = [var.arn]`), is not known statically and refers to nothing in the code; "" when it may not."""
    value = other.values.get(via)
    if isinstance(value, Unknown) and value.refers_to is None and not other.references.get(via):
        return f"{other.address}.{via} = {value.reason}, which may refer to it"
    entry = next((v for v in value if isinstance(v, Unknown) and v.refers_to is None), None) \
        if isinstance(value, list) else None
    return f"{entry.reason} (an entry of {other.address}.{via}, which may refer to it)" if entry else ""


@dataclass(frozen=True)
class Context:
    model: Model
    config: Config
    today: datetime.date = field(default_factory=datetime.date.today)   # the scan's date, for reproducible runs
    # Work one predicate does once per scan for every check that asks, by key.
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)
    # path -> the detector hits of a file's text, for the checks of SEC-002 and SEC-003 that ask after the first:
    # a table of its own, keyed by the path alone (50,000 files in a large repository, most with none)
    detector_hits: dict[str, tuple] = field(default_factory=dict, compare=False, repr=False)

    @property
    def regions(self) -> RegionRegistry:
        return regions()

    def of_type(self, types: list[str] | tuple[str, ...]) -> list[Resource]:
        return self.model.of_type(types)

    def at(self, address: str, root: str | None = None) -> list[Resource]:
        return self.model.at(address, root)

    def repositories(self) -> list[str]:
        """The nested repositories the scan's `repository` resource records (a directory of clones)."""
        key = ("nested repositories", "")
        if key not in self.memo:
            self.memo[key] = nested_in(self.model.by_type(REPOSITORY_TYPE))
        return self.memo[key]
