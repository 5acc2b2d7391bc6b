"""Residency predicates: a resource's effective region, the region of what a resource points at
(replication targets, backup vaults, log destinations), provider jurisdiction (SEAL) and placement."""
from __future__ import annotations

import re
from typing import Any

from scanner.evaluate.context import Context
from scanner.model.paths import Match, lookup
from scanner.evaluate.predicates.core import Predicate, region_verdict
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.resource import Resource
from scanner.model.values import Unknown

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):")
_INDEX = re.compile(r"\[[^\]]*\]")
_REGION_KEYS = ("region", "default_region")
# [I] sovereignty_requirement -> SEAL target when seal_target is unset: some = EU law applies and is
# enforceable (SEAL-2, 003:359); high = the NDS ambition SEAL-4 (003:383).
_TARGET_BY_SEAL = {"some": 2, "high": 4}


# --- where a resource is --------------------------------------------------------------------------
def effective_region(resource: Resource, paths: list[str], base: Match | None = None) -> tuple[Any, str, str]:
    """(region, attribute path, provider key): the resource's own region attribute, else its provider's."""
    for path in paths:
        for match in lookup(resource, path, base):
            if match.value is not None:
                return match.value, match.location or path, ""
    for key in _REGION_KEYS:
        value = resource.provider_values.get(key)
        if value is not None:
            return value, "", resource.provider or "provider"
    return None, "", ""


def _registry(resource: Resource, args: dict) -> str:
    return args.get("provider") or resource.type.split("_", 1)[0]


def effective_region_allowed(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The region the resource really lives in (own `region`, aws v6, else its provider block's) is allowed."""
    value, path, origin = effective_region(resource, args.get("paths", ["region"]), base)
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    if value is None:
        return unknown("the region is set outside the code (no region argument, no provider region)")
    verdict = region_verdict(_registry(resource, args), str(value), path, ctx)
    if verdict.state is False and origin:
        return fail(path, f"{verdict.detail} (region of provider {origin})")
    return verdict


# --- where a resource's target is -----------------------------------------------------------------
def targets(resource: Resource, path: str, types: list[str] | None, ctx: Context,
            base: Match | None = None) -> list[Resource]:
    """Resources of `types` that the expression at `path` refers to (through locals, variables, modules)."""
    prefix = _INDEX.sub("", base.location) + "." if base is not None and base.location else ""
    found: list[Resource] = []
    for address in sorted(resource.references.get(prefix + path, ())):
        for other in ctx.at(address):   # the same address under another root module is another resource
            if other.root == resource.root and (types is None or other.type in types):
                found.append(other)
    return found


def target_region_allowed(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The resource(s) named at `path` (a replication destination, backup vault, log sink) are in allowed
    regions. The target's region is its own `region_paths` attribute or its provider's region; a literal
    ARN with a region segment is read directly."""
    path = args["path"]
    values = [m.value for m in lookup(resource, path, base) if m.value not in (None, "")]
    if not values:
        return PASS                     # nothing is sent anywhere
    found = targets(resource, path, args.get("types"), ctx, base)
    registry = _registry(resource, args)
    for target in found:
        value, _, _ = effective_region(target, args.get("region_paths", ["region"]))
        if isinstance(value, Unknown):
            return unknown(f"{target.address}: {value.reason}", path)
        if value is None:
            return unknown(f"{target.address}: its region is set outside the code", path)
        verdict = region_verdict(registry, str(value), path, ctx)
        if verdict.state is False:
            return fail(path, f"{target.address}: {verdict.detail}")
    return _literal_targets(values, path, registry, ctx, covered=bool(found))


def _literal_targets(values: list, path: str, registry: str, ctx: Context, covered: bool) -> Verdict:
    """Values not resolved to a resource: an ARN's region segment, else cannot tell. `covered`: the
    expression referred to target resources, so a plain value (a bucket name) is theirs, checked above."""
    for value in values:
        if isinstance(value, Unknown):
            if covered:
                continue
            return unknown(value.reason, path)
        arn = _ARN.match(value) if isinstance(value, str) else None
        if arn and arn.group(1):
            verdict = region_verdict(registry, arn.group(1), path, ctx)
            if verdict.state is False:
                return fail(path, f"target {verdict.detail}")
        elif not covered:
            return unknown(f"the region of {str(value)[:60]} is not known statically", path)
    return PASS


# --- provider jurisdiction and placement ---------------------------------------------------------
def _normalise(source: str) -> str:
    parts = source.strip().split("/")
    return "/".join(parts[-2:]).lower()


def _registry_entry(source: str, ctx: Context) -> tuple[str, dict] | None:
    wanted = _normalise(source)
    for key, entry in ctx.providers.items():
        if "#" not in key and key.lower() == wanted:
            return key, entry
    return None


def _source_for_local_name(name: str, ctx: Context) -> str:
    for key, entry in ctx.providers.items():
        if "#" not in key and name in (entry.get("local_names") or []):
            return key
    return f"hashicorp/{name}"        # Terraform's implied source for an undeclared provider


def _local_name(resource: Resource) -> str:
    if resource.type == "terraform_required_provider":
        return resource.address.rsplit(".", 1)[-1]
    return resource.provider.split(".")[0]


def provider_source(resource: Resource, ctx: Context) -> Any:
    """The source address this required_providers entry or provider block stands for; None for a
    provider block whose module declares the provider in required_providers (reported there)."""
    name = _local_name(resource)
    if resource.type == "terraform_required_provider":
        source = resource.values.get("source")
        if isinstance(source, Unknown):
            return source
        return _normalise(source) if isinstance(source, str) and source else f"hashicorp/{name}"
    declared = [r for r in ctx.of_type(["terraform_required_provider"])
                if r.root == resource.root and r.module == resource.module and _local_name(r) == name]
    return None if declared else _normalise(_source_for_local_name(name, ctx))


def _first_report(resource: Resource, source: str, ctx: Context) -> bool:
    """Each provider is reported once per scan: at its first declaration (file, line)."""
    return _first_declarations(ctx).get(source) is resource


def _first_declarations(ctx: Context) -> dict[str, Resource]:
    cached = ctx.memo.get("residency.first_declarations")
    if cached is not None:
        return cached
    first: dict[str, Resource] = {}
    candidates = ctx.of_type(["terraform_required_provider", "provider"])
    for resource in sorted(candidates, key=lambda r: (r.path, r.line, r.address)):
        source = provider_source(resource, ctx)
        if isinstance(source, str):
            first.setdefault(source, resource)
    ctx.memo["residency.first_declarations"] = first
    return first


def _provider_regions(name: str, ctx: Context) -> list[str]:
    out = []
    for block in ctx.of_type(["provider"]):
        if _local_name(block) == name:
            out.extend(str(block.values[k]) for k in _REGION_KEYS if isinstance(block.values.get(k), str))
    return out


def _variant(key: str, entry: dict, name: str, ctx: Context) -> dict:
    """A variant entry (e.g. hashicorp/aws#eusc) applies when every configured region selects it."""
    regions = _provider_regions(name, ctx)
    if not regions:
        return entry
    for variant_key, variant in ctx.providers.items():
        if not variant_key.startswith(key + "#"):
            continue
        prefix, listed = variant.get("when_region_prefix"), variant.get("when_regions") or []
        if all((prefix and r.lower().startswith(prefix)) or r.lower() in listed for r in regions):
            return variant
    return entry


def _operator(entry: dict, name: str, ctx: Context) -> dict | None:
    """For a provider whose operator varies (OpenStack): the operator named by every auth_url host."""
    operators = entry.get("operators")
    if not operators:
        return entry
    chosen = set()
    for block in ctx.of_type(["provider"]):
        if _local_name(block) != name:
            continue
        url = block.values.get("auth_url")
        host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split(":")[0] if isinstance(url, str) else ""
        match = next((k for k in sorted(operators, key=len, reverse=True) if host == k or host.endswith("." + k)), None)
        chosen.add(match)
    if len(chosen) != 1 or None in chosen:
        return None
    return {**entry, **operators[chosen.pop()]}


def _entry(source: str, resource: Resource, ctx: Context) -> dict | None:
    """The registry's figures for this provider as it is configured here: the variant its regions select
    (AWS European Sovereign Cloud) and the operator its auth_url names (OpenStack). {} when not in the
    registry, None when the operator cannot be told."""
    found = _registry_entry(source, ctx)
    if found is None:
        return {}
    name = _local_name(resource)
    return _operator(_variant(found[0], found[1], name, ctx), name, ctx)


def _provider_profile(resource: Resource, ctx: Context) -> tuple[Verdict | None, str, dict]:
    """(early verdict, source, registry entry): an early verdict when nothing is to be compared here."""
    source = provider_source(resource, ctx)
    if isinstance(source, Unknown):
        return unknown(source.reason, "source"), "", {}
    if source is None or not _first_report(resource, source, ctx):
        return PASS, "", {}
    entry = _entry(source, resource, ctx)
    if entry == {}:
        blocker = f"provider {source} is not in the provider registry (policies/registries/providers.yaml)"
        return unknown(blocker), source, {}
    if entry is None:
        return unknown(f"the operator behind {source} cannot be told from its auth_url"), source, {}
    if entry.get("hosting_type") == "none":
        return PASS, source, entry
    return None, source, entry


def seal_target(config) -> int | None:
    if config.seal_target is not None:
        return config.seal_target
    return _TARGET_BY_SEAL.get(config.sovereignty_requirement or "none")


def provider_seal(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The provider's indicative SEAL range (providers.yaml) reaches the profile's SEAL target."""
    target = seal_target(ctx.config)
    if target is None:
        return PASS
    early, source, entry = _provider_profile(resource, ctx)
    if early is not None:
        return early
    seal = entry.get("seal") or {}
    low, high = seal.get("min"), seal.get("max")
    if high is None:
        return unknown(f"provider {source} has no SEAL range in the registry")
    if high >= target:
        return PASS
    return fail("source", f"{source} ({entry.get('name', source)}, control {entry.get('control')}, operations "
                          f"{entry.get('operations')}) has indicative SEAL {low}-{high}, below the target {target}")


def placement_allowed(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The provider's hosting type is not Red (or Yellow) for the profile's sovereignty requirement in the
    placement matrix given in `matrix` (hosting type -> requirement -> green|yellow|red)."""
    requirement = ctx.config.sovereignty_requirement
    if requirement in (None, "none"):
        return PASS
    early, source, entry = _provider_profile(resource, ctx)
    if early is not None:
        return early
    hosting = entry.get("hosting_type")
    colour = (args["matrix"].get(hosting) or {}).get(requirement)
    if colour is None:
        return unknown(f"provider {source}: hosting type {hosting} is not in the placement matrix")
    if str(colour).lower() == "green":
        return PASS
    wanted = "a high degree of sovereignty" if requirement == "high" else "some sovereignty"
    return fail("source", f"{source} ({entry.get('name', source)}) is {hosting} hosting: {str(colour).capitalize()} "
                          f"in the placement matrix when {wanted} is required")


def global_service(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The resource's type is listed in `services` (type -> how it processes data globally): an advisory.
    Types not listed pass, so the policy's list is the only source of such findings."""
    detail = (args.get("services") or {}).get(resource.type)
    return fail("", str(detail)) if detail else PASS


RESIDENCY: dict[str, Predicate] = {
    "effective_region_allowed": effective_region_allowed,
    "target_region_allowed": target_region_allowed,
    "provider_seal": provider_seal,
    "placement_allowed": placement_allowed,
    "global_service": global_service,
}


def posture(ctx: Context) -> list[dict]:
    """The repository's indicative sovereignty posture: every cloud provider it declares, with the provider
    registry's jurisdiction and SEAL range. Shown in every profile; it fails nothing by itself (RES-007 and
    RES-010 do, when the profile sets a SEAL target or a sovereignty requirement)."""
    out = []
    for source, resource in sorted(_first_declarations(ctx).items()):
        entry = _entry(source, resource, ctx)
        if entry == {}:
            out.append({"source": source, "name": source, "known": False})
            continue
        entry = entry or _registry_entry(source, ctx)[1]   # operator unknown: the provider's own figures
        if entry.get("hosting_type") == "none":
            continue
        seal = entry.get("seal") or {}
        out.append({"source": source, "name": entry.get("name", source), "known": True,
                    "jurisdiction": entry.get("hq_jurisdiction", ""), "control": entry.get("control", ""),
                    "operations": entry.get("operations", ""), "hosting_type": entry.get("hosting_type", ""),
                    "seal": f"{seal.get('min', '?')}-{seal.get('max', '?')}"})
    return out
