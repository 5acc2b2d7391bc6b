"""Registries as data (policies/registries/*.yaml): regions and provider jurisdictions."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from scanner.config import TIERS
from scanner.errors import PolicyError
from scanner.pack import builtin_policy_dir


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Region:
    provider: str
    id: str
    country: str
    tier: str
    pair: str | None = None
    zones: int = 1          # availability zones, where the registry knows the region has several


_ZONE_SUFFIXES = (re.compile(r"(?<=\d)[a-z]$"), re.compile(r"-[a-z0-9]{1,2}$"))


class RegionRegistry:
    def __init__(self, data: dict):
        self.as_of = str(data.get("as_of", ""))
        self.countries: dict[str, str] = {str(k).upper(): str(v) for k, v in (data.get("countries") or {}).items()}
        self.regions: dict[str, dict[str, Region]] = {}
        for provider, entry in (data.get("providers") or {}).items():
            table = {}
            for region_id, info in (entry.get("regions") or {}).items():
                key = str(region_id).lower()
                table[key] = Region(provider, key, str(info.get("country", "")), str(info.get("tier", "third-country")),
                                    str(info["pair"]).lower() if info.get("pair") else None, int(info.get("zones", 1)))
            self.regions[provider] = table

    def lookup(self, provider: str, region_id: str) -> Region | None:
        table = self.regions.get(provider)
        if not table or not isinstance(region_id, str):
            return None
        key = region_id.lower().replace(" ", "")
        if key in table:
            return table[key]
        for suffix in _ZONE_SUFFIXES:      # zones name their region: eu-west-1a, europe-west4-b, eu01-1
            stripped = suffix.sub("", key)
            if stripped != key and stripped in table:
                return table[stripped]
        return None

    def country_tier(self, country: str) -> str:
        return self.countries.get(country.upper(), "third-country")

    def knows(self, provider: str) -> bool:
        return provider in self.regions


def tier_allows(region_tier: str, allowed_tier: str) -> bool:
    rank = {t: i for i, t in enumerate(TIERS)}
    return rank.get(region_tier, len(TIERS)) <= rank.get(allowed_tier, 0)


@functools.lru_cache(maxsize=16)
def registry(name: str) -> dict:
    """A built-in registry file (policies/registries/NAME), read once per process."""
    return load(builtin_policy_dir(), name)


@functools.lru_cache(maxsize=1)
def regions() -> RegionRegistry:
    return RegionRegistry(registry("regions.yaml"))


def providers() -> dict:
    return registry("providers.yaml").get("providers") or {}


def load(directory: Path, name: str) -> dict:
    """A registry file under <policy dir>/registries/, as data (a broken file is a policy error)."""
    path = directory / "registries" / name
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as err:
        raise PolicyError(f"{path}: cannot load registry: {err}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: registry must be a mapping")
    return data
