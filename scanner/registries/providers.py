"""The provider registry (providers.yaml): who controls and operates the service behind a Terraform
provider, its software model, hosting type and indicative SEAL range."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from scanner.registries import document


@dataclass(frozen=True)
class ProviderEntry:
    source: str                      # namespace/type as written in required_providers; "#variant" for variants
    name: str
    local_names: tuple[str, ...] = ()
    region_registry: str = ""
    hq_jurisdiction: str = ""
    control: str = ""
    operations: str = ""
    software_model: str = ""
    hosting_type: str = ""
    seal_min: int | None = None
    seal_max: int | None = None
    when_region_prefix: str = ""
    when_regions: tuple[str, ...] = ()
    operators: Mapping[str, "ProviderEntry"] = field(default_factory=dict)   # auth_url host suffix -> operator

    @property
    def seal(self) -> str:
        low = "?" if self.seal_min is None else str(self.seal_min)
        high = "?" if self.seal_max is None else str(self.seal_max)
        return f"{low}-{high}"

    @property
    def is_variant(self) -> bool:
        return "#" in self.source


def _entry(source: str, data: Mapping[str, Any], base: ProviderEntry | None = None) -> ProviderEntry:
    seal = data.get("seal") or {}
    inherited = base or ProviderEntry(source, "")
    operators = {host: _entry(source, info, None) for host, info in (data.get("operators") or {}).items()}
    return ProviderEntry(
        source=source, name=str(data.get("name", inherited.name or source)),
        local_names=tuple(data.get("local_names", inherited.local_names)),
        region_registry=str(data.get("region_registry", inherited.region_registry)),
        hq_jurisdiction=str(data.get("hq_jurisdiction", inherited.hq_jurisdiction)),
        control=str(data.get("control", inherited.control)), operations=str(data.get("operations", inherited.operations)),
        software_model=str(data.get("software_model", inherited.software_model)),
        hosting_type=str(data.get("hosting_type", inherited.hosting_type)),
        seal_min=seal.get("min", inherited.seal_min), seal_max=seal.get("max", inherited.seal_max),
        when_region_prefix=str(data.get("when_region_prefix", "")), when_regions=tuple(data.get("when_regions", ())),
        operators=operators)


def with_operator(entry: ProviderEntry, operator: ProviderEntry) -> ProviderEntry:
    """The provider's figures as a named operator runs it (OpenStack behind cloud.ovh.net)."""
    return _entry(entry.source, {
        "name": operator.name, "hq_jurisdiction": operator.hq_jurisdiction or entry.hq_jurisdiction,
        "control": operator.control or entry.control, "operations": operator.operations or entry.operations,
        "seal": {"min": operator.seal_min if operator.seal_min is not None else entry.seal_min,
                 "max": operator.seal_max if operator.seal_max is not None else entry.seal_max}}, entry)


@functools.lru_cache(maxsize=1)
def providers() -> Mapping[str, ProviderEntry]:
    """Source address (lower-case namespace/type, or with #variant) -> entry."""
    return {str(source).lower(): _entry(str(source), data) for source, data in document("providers")["providers"].items()}


def as_of() -> str:
    return str(document("providers")["as_of"])
