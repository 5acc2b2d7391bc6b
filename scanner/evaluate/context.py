"""What predicates may look at besides the resource: the whole model, the config and the registries."""
from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from scanner.config import Config
from scanner.evaluate import registries
from scanner.evaluate.registries import RegionRegistry
from scanner.model.resource import Model, Resource

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")


def base_address(address: str) -> str:
    """`module.a.x.y["k"]` -> `module.a.x.y`: references name resources without their instance key."""
    return _INSTANCE_KEY.sub("", address)


@dataclass
class Context:
    model: Model
    config: Config
    regions: RegionRegistry
    today: datetime.date = field(default_factory=datetime.date.today)   # the engine passes the scan's date
    condition: Callable = None  # set by the engine: evaluate a sub-condition on another resource
    memo: dict = field(default_factory=dict)   # predicates' per-scan caches, keyed "<module>.<what>"
    _links: dict = field(default_factory=dict)
    _types: dict = field(default_factory=dict)
    _addresses: dict = field(default_factory=dict)
    _position: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        links: dict = defaultdict(list)
        types: dict = defaultdict(list)
        addresses: dict = defaultdict(list)
        for resource in self.model.resources:
            types[resource.type].append(resource)
            if resource.kind != "terraform":
                continue
            addresses[base_address(resource.address)].append(resource)
            for attr in resource.references:
                links[(resource.type, attr)].append(resource)
        self._links, self._types, self._addresses = links, types, addresses
        self._position = {id(r): i for i, r in enumerate(self.model.resources)}

    @property
    def providers(self) -> dict:
        return registries.providers()

    def linking(self, types: list[str], via: str) -> list[Resource]:
        return [r for t in types for r in self._links.get((t, via), [])]

    def of_type(self, types: list[str]) -> list[Resource]:
        """Resources of these types, in model order."""
        if len(types) == 1:
            return self._types.get(types[0], [])
        found = [r for t in dict.fromkeys(types) for r in self._types.get(t, [])]
        return sorted(found, key=lambda r: self._position[id(r)])

    def at(self, address: str) -> list[Resource]:
        """Terraform resources (every instance) at a base address such as `module.a.aws_s3_bucket.b`."""
        return self._addresses.get(base_address(address), [])
