"""The region registry (regions.yaml): provider -> region id -> country, residency tier, pair, zones; and the
partition a region id's prefix puts it in (AWS's ARN partitions)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from scanner.registries import document
from scanner.registries.providers import providers

TIERS = ("eu", "eea", "adequacy", "third-country")   # strict -> loose; each tier includes the ones before it
_ZONE_SUFFIXES = (re.compile(r"(?<=\d)[a-z]$"), re.compile(r"-[a-z0-9]{1,2}$"))


@dataclass(frozen=True)
class Region:
    provider: str
    id: str
    country: str
    tier: str
    pair: str | None = None
    zones: int = 1          # availability zones, where the registry knows the region has several


def region_key(region_id: str) -> str:
    """A region id as the tables and the allow and deny lists compare it: `France South` is `francesouth`."""
    return region_id.lower().replace(" ", "")


@dataclass(frozen=True)
class RegionRegistry:
    as_of: str
    countries: Mapping[str, str]                      # ISO 3166 alpha-2 -> tier
    tables: Mapping[str, Mapping[str, Region]]        # provider registry key -> region id -> Region
    partitions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)   # provider -> id prefix -> partition
    # provider -> the location ids its resources take that are no region (`global`): the rules on global services
    # judge those, not the region rules
    not_regions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def lookup(self, provider: str, region_id: object) -> Region | None:
        """The region an id names; a zone id (eu-west-1a, europe-west4-b, eu01-1) names its region."""
        table = self.tables.get(provider)
        if not table or not isinstance(region_id, str):
            return None
        key = region_key(region_id)
        if key in table:
            return table[key]
        for suffix in _ZONE_SUFFIXES:
            stripped = suffix.sub("", key)
            if stripped != key and stripped in table:
                return table[stripped]
        return None

    def names_no_region(self, provider: str, location: str) -> bool:
        """The location is one the provider gives resources that live in no region (`global`)."""
        return region_key(location) in self.not_regions.get(provider, ())

    def country_tier(self, country: str) -> str:
        return self.countries.get(country.upper(), "third-country")

    def knows(self, provider: str) -> bool:
        return provider in self.tables


def tier_allows(region_tier: str, allowed_tier: str) -> bool:
    rank = {t: i for i, t in enumerate(TIERS)}
    return rank.get(region_tier, len(TIERS)) <= rank.get(allowed_tier, 0)


def _region(provider: str, region_id: str, info: Mapping[str, Any]) -> Region:
    pair = str(info["pair"]).lower() if info.get("pair") else None
    return Region(provider, region_id, str(info["country"]), str(info["tier"]), pair, int(info.get("zones", 1)))


@functools.lru_cache(maxsize=1)
def regions() -> RegionRegistry:
    data = document("regions")
    tables = {provider: {str(rid).lower(): _region(provider, str(rid).lower(), info)
                         for rid, info in (entry.get("regions") or {}).items()}
              for provider, entry in data["providers"].items()}
    countries = {str(k).upper(): str(v) for k, v in data["countries"].items()}
    partitions = {provider: {str(prefix): str(name) for prefix, name in (entry.get("partitions") or {}).items()}
                  for provider, entry in data["providers"].items() if entry.get("partitions")}
    not_regions = {provider: frozenset(str(name).lower() for name in entry["not_regions"])
                   for provider, entry in data["providers"].items() if entry.get("not_regions")}
    return RegionRegistry(str(data["as_of"]), countries, tables, partitions, not_regions)


NOT_HOSTING = ""   # table_for: a provider that hosts no data (kubernetes, random, ...): its region-like values place nothing


def table_for(name: str) -> str | None:
    """The region table a provider name (a resource-type prefix, a provider block's local name or a table key)
    uses: its own table, else the one providers.yaml names for that local name (google-beta -> google, azapi ->
    azurerm, awscc -> aws); NOT_HOSTING for a registered provider that hosts no data; None when unknown."""
    if regions().knows(name):
        return name
    entries = [e for e in providers().values() if name in e.local_names and not e.is_variant]
    if not entries:
        return None
    entry = entries[0]
    if entry.region_registry and regions().knows(entry.region_registry):
        return entry.region_registry
    return NOT_HOSTING if entry.hosting_type == "none" else None
