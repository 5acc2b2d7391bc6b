"""Registries as data (policies/registries/*.yaml): regions and provider jurisdictions."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from scanner.config import TIERS
from scanner.errors import PolicyError


def builtin_policy_dir() -> Path:
    """Installed: scanner/policies; from a source checkout: the repository's policies/."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "policies"
    return installed if installed.is_dir() else here.parent / "policies"


@dataclass(frozen=True)
class Region:
    provider: str
    id: str
    country: str
    tier: str
    pair: str | None = None


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
                                    str(info["pair"]).lower() if info.get("pair") else None)
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


@functools.lru_cache(maxsize=4)
def regions(directory: Path | None = None) -> RegionRegistry:
    return RegionRegistry(load(directory or builtin_policy_dir(), "regions.yaml"))


@functools.lru_cache(maxsize=4)
def providers(directory: Path | None = None) -> dict:
    return (load(directory or builtin_policy_dir(), "providers.yaml").get("providers") or {})


def load(directory: Path, name: str) -> dict:
    """A registry file under <policy dir>/registries/, as data (a broken file is a policy error)."""
    path = directory / "registries" / name
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as err:
        raise PolicyError(f"{path}: cannot load registry: {err}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: registry must be a mapping")
    return data
