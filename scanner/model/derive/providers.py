"""The cloud providers a repository uses: one `provider_source` resource per distinct provider source,
located at its first declaration, with the provider registry's entry as it is configured here (the
variant its regions select, the operator its auth_url names)."""
from __future__ import annotations

import re
from typing import Any

from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown
from scanner.registries.providers import ProviderEntry, providers, with_operator

PROVIDER_SOURCE_TYPE = "provider_source"
REGION_KEYS = ("region", "default_region")


def normalise(source: str) -> str:
    parts = source.strip().split("/")
    return "/".join(parts[-2:]).lower()


def local_name(resource: Resource) -> str:
    if resource.type == "terraform_required_provider":
        return resource.address.rsplit(".", 1)[-1]
    return resource.provider.split(".")[0]


def _source_for_local_name(name: str) -> str:
    for key, entry in providers().items():
        if not entry.is_variant and name in entry.local_names:
            return key
    return f"hashicorp/{name}"        # Terraform's implied source for an undeclared provider


def declared_source(resource: Resource, model: Model) -> Any:
    """The source a required_providers entry or provider block stands for; None for a provider block
    whose module declares the provider in required_providers (that declaration stands for it)."""
    name = local_name(resource)
    if resource.type == "terraform_required_provider":
        source = resource.values.get("source")
        if isinstance(source, Unknown):
            return source
        return normalise(source) if isinstance(source, str) and source else f"hashicorp/{name}"
    declared = [r for r in model.by_type("terraform_required_provider")
                if r.root == resource.root and r.module == resource.module and local_name(r) == name]
    return None if declared else normalise(_source_for_local_name(name))


def provider_sources(model: Model) -> list[Resource]:
    first: dict[str, Resource] = {}
    unresolved: list[tuple[Resource, Unknown]] = []
    candidates = model.of_type(("terraform_required_provider", "provider"))
    for resource in sorted(candidates, key=lambda r: (r.path, r.line, r.address)):
        source = declared_source(resource, model)
        if isinstance(source, Unknown):
            unresolved.append((resource, source))
        elif isinstance(source, str):
            first.setdefault(source, resource)
    out = [_provider_source(source, declared, model) for source, declared in sorted(first.items())]
    for declared, blocker in unresolved:   # a source not known statically: its own subject, unresolved
        out.append(Resource("model", PROVIDER_SOURCE_TYPE, f"provider_source.{declared.address}", declared.path,
                            declared.line, {"source": blocker, "local_name": local_name(declared)},
                            {"": declared.line, "source": declared.line}))
    return out


def _provider_source(source: str, declared: Resource, model: Model) -> Resource:
    name = local_name(declared)
    entry, registry = _entry(source, name, model)
    values: dict[str, Any] = {"source": source, "local_name": name, "registry": registry, "entry": entry,
                              "declared_at": declared.address}
    return Resource("model", PROVIDER_SOURCE_TYPE, f"provider_source.{source}", declared.path, declared.line, values,
                    {"": declared.line, "source": declared.line})


def _entry(source: str, name: str, model: Model) -> tuple[ProviderEntry | None, str]:
    """(entry, registry state): known | unknown (not in the registry) | operator-unknown."""
    base = providers().get(source)
    if base is None or base.is_variant:
        return None, "unknown"
    chosen = _variant(source, base, _regions(name, model))
    if not chosen.operators:
        return chosen, "known"
    operator = _operator(chosen, name, model)
    if operator is None:
        return chosen, "operator-unknown"
    return with_operator(chosen, operator), "known"


def _regions(name: str, model: Model) -> list[str]:
    out: list[str] = []
    for block in model.by_type("provider"):
        if local_name(block) == name:
            out.extend(str(block.values[k]) for k in REGION_KEYS if isinstance(block.values.get(k), str))
    return out


def _variant(source: str, entry: ProviderEntry, regions: list[str]) -> ProviderEntry:
    """A variant entry (e.g. hashicorp/aws#eusc) applies when every configured region selects it."""
    if not regions:
        return entry
    for key, variant in providers().items():
        if not key.startswith(source + "#"):
            continue
        prefix, listed = variant.when_region_prefix, variant.when_regions
        if all((prefix and r.lower().startswith(prefix)) or r.lower() in listed for r in regions):
            return variant
    return entry


def _operator(entry: ProviderEntry, name: str, model: Model) -> ProviderEntry | None:
    """For a provider whose operator varies (OpenStack): the operator named by every auth_url host."""
    chosen = set()
    for block in model.by_type("provider"):
        if local_name(block) != name:
            continue
        url = block.values.get("auth_url")
        host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split(":")[0] if isinstance(url, str) else ""
        match = next((k for k in sorted(entry.operators, key=len, reverse=True)
                      if host == k or host.endswith("." + k)), None)
        chosen.add(match)
    if len(chosen) != 1 or None in chosen:
        return None
    return entry.operators[str(chosen.pop())]
