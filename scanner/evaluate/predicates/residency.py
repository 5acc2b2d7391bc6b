"""Residency predicates: a resource's effective region, the region of what a resource points at
(replication targets, backup vaults, log destinations), provider jurisdiction (SEAL) and placement."""
from __future__ import annotations

import re
from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.core import region_verdict
from scanner.evaluate.predicates.spec import MAPPING, STRING, STRINGS, PredicateSpec, spec
from scanner.model.paths import Match, lookup
from scanner.registries.providers import ProviderEntry
from scanner.evaluate.verdict import PASS, Verdict, at_match, every, fail, unknown
from scanner.model.resource import Resource, base_address
from scanner.model.values import Unknown

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):")
_INDEX = re.compile(r"\[[^\]]*\]")
_REGION_KEYS = ("region", "default_region")


# --- where a resource is --------------------------------------------------------------------------
def effective_region(resource: Resource, paths: list[str], base: Match | None = None) -> tuple[Any, Match, str]:
    """(region, where it is written, provider key): the resource's own region attribute (its match: the location
    for the line, the key for the fingerprint), else its provider's."""
    for path in paths:
        for match in lookup(resource, path, base):
            if match.value is not None:
                return match.value, Match(match.value, match.location or path, match.key or path), ""
    for key in _REGION_KEYS:
        value = resource.provider_values.get(key)
        if value is not None:
            return value, Match(value, "", ""), resource.provider or "provider"
    return None, Match(None, "", ""), ""


def _registry(resource: Resource, args: dict[str, Any]) -> str:
    return args.get("provider") or resource.type.split("_", 1)[0]


def effective_region_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The region the resource really lives in (own `region`, aws v6, else its provider block's) is allowed."""
    value, written, origin = effective_region(resource, args.get("paths", ["region"]), base)
    path = written.location
    if isinstance(value, Unknown):
        return unknown(value.reason, path, written.key)
    if value is None:
        return unknown("the region is set outside the code (no region argument, no provider region)")
    verdict = region_verdict(_registry(resource, args), str(value), path, ctx)
    if verdict.state is False and origin:
        return fail(path, f"{verdict.detail} (region of provider {origin})")
    return at_match(verdict, path, path, written.key)


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


def target_region_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The resource(s) named at `path` (a replication destination, backup vault, log sink) are in allowed
    regions. The target's region is its own `region_paths` attribute or its provider's region; a literal
    ARN with a region segment is read directly. Each target is judged: one outside them is a finding even beside
    one whose region is not known."""
    path = args["path"]
    matches = [m for m in lookup(resource, path, base) if m.value not in (None, "")]
    if not matches:
        return PASS                     # nothing is sent anywhere
    found = targets(resource, path, args.get("types"), ctx, base)
    registry = _registry(resource, args)
    addresses = {base_address(t.address) for t in found}
    return every([*(_target_allowed(target, _naming(target, matches, path), path, registry, args, ctx) for target in found),
                  *(_literal_target(match, path, registry, addresses, found, ctx) for match in matches)])


def _naming(target: Resource, matches: list[Match], path: str) -> str:
    """Where the target is named: the match that refers to it (or writes its name), else the path."""
    address = base_address(target.address)
    return next((m.location for m in matches if m.location and (
        (isinstance(m.value, Unknown) and m.value.refers_to and base_address(m.value.refers_to) == address)
        or _names_one_of(m.value, [target]))), path)


def _target_allowed(target: Resource, where: str, path: str, registry: str, args: dict[str, Any],
                    ctx: Context) -> Verdict:
    value, _, _ = effective_region(target, args.get("region_paths", ["region"]))
    if isinstance(value, Unknown):
        return Verdict(None, where, path, "", f"{target.address}: {value.reason}")
    if value is None:
        return Verdict(None, where, path, "", f"{target.address}: its region is set outside the code")
    verdict = region_verdict(registry, str(value), path, ctx)
    if verdict.state is False:
        return fail(where, f"{target.address}: {verdict.detail}", path)
    return verdict


def _literal_target(match: Match, path: str, registry: str, addresses: set[str], found: list[Resource],
                    ctx: Context) -> Verdict:
    """A value not resolved to a resource: an ARN's region segment, else cannot tell. A value that is one of
    the `found` target resources (an attribute of it, or its name written out: a bucket name) is judged as that
    resource; another value beside them (a second replication rule's variable or literal bucket) is not."""
    value, where = match.value, match.location or path   # the finding points at the value
    if isinstance(value, Unknown):
        if value.refers_to and base_address(value.refers_to) in addresses:
            return PASS
        return Verdict(None, where, path, "", value.reason)
    arn = _ARN.match(value) if isinstance(value, str) else None
    if arn and arn.group(1):
        verdict = region_verdict(registry, arn.group(1), path, ctx)
        return fail(where, f"target {verdict.detail}", path) if verdict.state is False else verdict
    if _names_one_of(value, found):
        return PASS
    return Verdict(None, where, path, "", f"the region of {str(value)[:60]}")


def _names_one_of(value: Any, found: list[Resource]) -> bool:
    """The value, or the last segment of an ARN or id (`arn:aws:s3:::name`, `.../storageAccounts/name`), is a
    name one of the target resources writes (its `bucket`, `name`)."""
    if not isinstance(value, str) or not value:
        return False
    last = re.split(r"[:/]", value)[-1]
    written = {v for t in found for v in t.values.values() if isinstance(v, str) and v}
    return value in written or last in written


# --- provider jurisdiction and placement (provider_source resources: one per distinct provider) -----
def _provider_entry(resource: Resource) -> tuple[Verdict | None, ProviderEntry | None]:
    """(early verdict, registry entry): an early verdict when nothing is to be compared here."""
    source = resource.values.get("source")
    if isinstance(source, Unknown):
        return unknown(source.reason, "source"), None
    state = resource.values.get("registry")
    if state == "unknown":
        return unknown(f"provider {source} is not in the provider registry (policies/registries/providers.yaml)"), None
    entry = resource.values.get("entry")
    if state == "operator-unknown" or not isinstance(entry, ProviderEntry):
        return unknown(f"the operator behind {source} cannot be told from its auth_url"), None
    if entry.hosting_type == "none":
        return PASS, None
    return None, entry


def provider_seal(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The provider's indicative SEAL range (providers.yaml) reaches the profile's SEAL target."""
    target = ctx.config.seal_level()
    if target is None:
        return PASS
    early, entry = _provider_entry(resource)
    if early is not None or entry is None:
        return early or PASS
    source = resource.values["source"]
    if entry.seal_max is None:
        return unknown(f"provider {source} has no SEAL range in the registry")
    if entry.seal_max >= target:
        return PASS
    return fail("source", f"{source} ({entry.name}, control {entry.control}, operations {entry.operations}) has "
                          f"indicative SEAL {entry.seal}, below the target {target}")


def placement_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The provider's hosting type is not Red (or Yellow) for the profile's sovereignty requirement in the
    placement matrix given in `matrix` (hosting type -> requirement -> green|yellow|red)."""
    requirement = ctx.config.sovereignty_requirement
    if requirement in (None, "none"):
        return PASS
    early, entry = _provider_entry(resource)
    if early is not None or entry is None:
        return early or PASS
    source, hosting = resource.values["source"], entry.hosting_type
    colour = (args["matrix"].get(hosting) or {}).get(requirement)
    if colour is None:
        return unknown(f"provider {source}: hosting type {hosting} is not in the placement matrix")
    if str(colour).lower() == "green":
        return PASS
    wanted = "a high degree of sovereignty" if requirement == "high" else "some sovereignty"
    return fail("source", f"{source} ({entry.name}) is {hosting} hosting: {str(colour).capitalize()} "
                          f"in the placement matrix when {wanted} is required")


def global_service(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The resource's type is listed in `services` (type -> how it processes data globally): an advisory.
    Types not listed pass, so the policy's list is the only source of such findings."""
    detail = (args.get("services") or {}).get(resource.type)
    return fail("", str(detail)) if detail else PASS


RESIDENCY: dict[str, PredicateSpec] = {
    "effective_region_allowed": spec(effective_region_allowed, optional={"paths": STRINGS, "provider": STRING},
                                     registries=("regions",)),
    "target_region_allowed": spec(target_region_allowed, required={"path": STRING},
                                  optional={"types": STRINGS, "region_paths": STRINGS, "provider": STRING},
                                  reads=("the resources the attribute refers to, in the same root module",),
                                  registries=("regions",)),
    "provider_seal": spec(provider_seal, reads=("provider_source (derived)",), derived=("providers",), registries=("providers",)),
    "placement_allowed": spec(placement_allowed, required={"matrix": MAPPING}, reads=("provider_source (derived)",), derived=("providers",),
                              registries=("providers",)),
    "global_service": spec(global_service, required={"services": MAPPING}),
}
