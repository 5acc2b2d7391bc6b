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
    _links: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        links: dict = defaultdict(list)
        for resource in self.model.resources:
            if resource.kind != "terraform":
                continue
            for attr, targets in resource.references.items():
                links[(resource.type, attr)].append(resource)
        self._links = links

    @property
    def providers(self) -> dict:
        return registries.providers()

    def linking(self, types: list[str], via: str) -> list[Resource]:
        return [r for t in types for r in self._links.get((t, via), [])]

    def of_type(self, types: list[str]) -> list[Resource]:
        wanted = set(types)
        return [r for r in self.model.resources if r.type in wanted]
