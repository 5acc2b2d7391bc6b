"""What a predicate may look at besides the resource: the whole model (with its indexes and derived
facts), the configuration, and the scan's date. Registries are read through scanner.registries."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from scanner.config import Config
from scanner.model.repository import REPOSITORY_TYPE, nested_in
from scanner.model.resource import Model, Resource, base_address
from scanner.registries.regions import RegionRegistry, regions

__all__ = ["Context", "base_address"]


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
