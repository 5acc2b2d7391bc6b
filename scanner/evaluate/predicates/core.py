"""General predicates: links between resources, keys, regions, list sizes, images."""
from __future__ import annotations

import re
from typing import Any

from scanner.evaluate.context import Context, base_address
from scanner.evaluate.predicates.spec import BOOLEAN, STRING, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, at_match, every, fail, unknown
from scanner.masking import mask
from scanner.model.paths import Match, lookup
from scanner.model.rendered import Place
from scanner.model.resource import Resource, managed_type
from scanner.model.values import OneOf, Unknown
from scanner.registries.default_locations import default_location
from scanner.registries.regions import NOT_HOSTING, region_key, table_for, tier_allows
from scanner.registries.portability import image_registries

CUSTOMER_KEY_TYPES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "azurerm_key_vault_key",
                      "azurerm_key_vault_managed_hardware_security_module_key", "google_kms_crypto_key",
                      "stackit_kms_key", "ovh_okms_service_key", "scaleway_key_manager_key", "oci_kms_key",
                      "alicloud_kms_key")
_PROVIDER_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")
# Data sources that may find a provider-managed key as well as a customer key.
_LOOKS_UP_PROVIDER_KEYS = ("aws_kms_key",)


def customer_key(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every key at `path` is customer-managed: not absent, not an AWS-managed alias; one that is a finding even
    beside one not known statically."""
    path = args["path"]
    matches = [m for m in lookup(resource, path, base) if m.value not in (None, "")]
    if not matches:
        return fail(path, "no key set")
    return every(at_match(_customer_key(resource, m.value, m.location or path, path), path, m.location, m.key)
                 for m in matches)


def _customer_key(resource: Resource, value: Any, location: str, path: str) -> Verdict:
    if isinstance(value, Unknown):
        if value.refers_to:
            target_type = base_address(value.refers_to).rsplit(".", 2)[-2]
            if target_type not in CUSTOMER_KEY_TYPES:
                return unknown(value.reason, path)
            if target_type in _LOOKS_UP_PROVIDER_KEYS and value.kind == "data":
                # `data "aws_kms_key" { key_id = "alias/aws/ebs" }` finds an AWS-managed key: which key it
                # finds is decided outside the scanned code
                return unknown(f"whether the key {value.reason} looks up is customer-managed (it may be an "
                               "AWS-managed key, alias/aws/...)", path)
            return PASS
        # a value built from a customer key: what its own block refers to (`replicas[1]....`), not what another
        # block of the path does
        refs = resource.references.get(location, ())
        if any(base_address(r).rsplit(".", 2)[-2] in CUSTOMER_KEY_TYPES for r in refs):
            return PASS
        return unknown(value.reason, path)
    if isinstance(value, str) and _PROVIDER_MANAGED_KEY.search(value):
        return fail(path, f"{value} is a provider-managed key")
    return PASS


def _region_values(resource: Resource, args: dict[str, Any], base: Match | None) -> list[Match]:
    """Every region-like value at `paths`; nested blocks (a `location { ... }` block) are not region ids and are
    left out, and so is a zone number (Azure's `zone = "1"`: a zone of the location)."""
    azure = _provider_of(resource, args) == "azurerm"
    return [match for path in args.get("paths", ["location", "region"]) for match in lookup(resource, path, base)
            if not isinstance(match.value, (dict, list)) and not _zone_number(path, match.value, azure)]


def _zone_number(path: str, value: Any, azure: bool) -> bool:
    """A zone of the location: azurerm's `zone` is one whatever it holds (a number its provider validates, so one
    not known statically too); another provider's a number written as such."""
    if path.rsplit(".", 1)[-1] != "zone":
        return False
    return azure or (isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip().isdigit())


def _provider_of(resource: Resource, args: dict[str, Any]) -> str:
    if args.get("provider"):
        return args["provider"]
    if resource.type == "provider":
        return resource.address.rsplit("provider.", 1)[-1].split(".")[0]
    return resource.type.split("_", 1)[0]


def region_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every location the resource names is a known region in the allowed tier (or allow-listed): one outside it
    is a finding even beside one not known statically, which otherwise leaves it unresolved. With
    `provider_defaults`, a resource that names none is judged at the location its provider gives it by default
    (policies/registries/default-locations.yaml)."""
    provider = _provider_of(resource, args)
    found = [match for match in _region_values(resource, args, base) if match.value is not None]
    if not found:
        return _default_location_allowed(resource, args, provider, ctx) if args.get("provider_defaults") else PASS
    skip_inherited = args.get("skip_inherited", True)
    return every(at_match(_location_allowed(resource, provider, m.value, m.location, skip_inherited, ctx), m.location,
                          m.location, m.key) for m in found)


def _location_allowed(resource: Resource, provider: str, value: Any, path: str, skip_inherited: bool,
                      ctx: Context) -> Verdict:
    if skip_inherited and copied_from_another_resource(resource, path, value, ctx):
        return PASS   # copied from another resource (e.g. its resource group): reported there, known or not
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    return region_verdict(provider, str(value), path, ctx)


def _default_location_allowed(resource: Resource, args: dict[str, Any], provider: str, ctx: Context) -> Verdict:
    """The location the provider picks when the attribute is absent: a fixed default (BigQuery: US) is judged
    like a written one; "no constraint" (Pub/Sub without a message storage policy) is a finding of its own."""
    default = default_location(resource.type, args.get("paths", []))
    if default is None:
        return PASS
    if default.unconstrained:
        return fail(default.attribute, f"{default.attribute} is not set: by the provider's default, {default.unconstrained}")
    if default.value is None:
        return PASS   # required by the provider, or taken from the provider block (RES-002 judges that)
    verdict = region_verdict(provider, default.value, default.attribute, ctx)
    if verdict.state is False:
        return fail(default.attribute, f"{default.attribute} is not set, so the provider's default applies: {verdict.detail}")
    return verdict


def copied_from_another_resource(resource: Resource, path: str, value: Any, ctx: Context,
                                 paths: tuple[str, ...] = ("location", "region", "zone")) -> bool:
    """The value at `path` is another resource's location (`location = azurerm_resource_group.rg.location`),
    so the policy judges it on that resource; a reference used only as an index does not count, nor a resource
    of a provider without regions (`terraform_data`, `null_resource`), whose value no residency rule judges,
    nor another attribute of it (`azurerm_resource_group.rg.tags.region`), which no rule judges there.

    A known value is a copy when it is the value of a location (at `paths`) it reads of a resource a residency
    rule judges (not `local.dr[rg.location]`, which only looks one up; not `coalesce(rg.tags.region,
    rg.location)` when the tag decides). A value not known is a copy when every attribute of another resource
    it reads is such a location and every resource it refers to is judged, since any of them may be the one
    it comes from (a random_id beside a resource group only names a known copy)."""
    read = [place for place, role in resource.chains.get(path, ()) if role == "attribute" and not _own(resource, place)]
    if not read:
        return False
    references = resource.references.get(path, ())
    locations = [(v, place) for address in references if _judges_regions(managed_type(address))
                 for source in ctx.model.at(address, resource.root) for v, place in _locations(source, paths)]
    places = {place for _, place in locations}
    if not any(place in places for place in read):
        return False
    if isinstance(value, Unknown):
        return all(place in places for place in read) and all(_judges_regions(managed_type(a)) for a in references)
    wanted = _region_key(value)
    return bool(wanted) and any(wanted in _region_keys(v) and place in read for v, place in locations)


def _own(resource: Resource, place: Place) -> bool:
    """The place is in the resource's own block (an instance reading its own attribute copies nothing)."""
    return place.path == resource.path and resource.line <= place.line <= max(resource.end_line, resource.line)


def _judges_regions(resource_type: str) -> bool:
    return bool(resource_type) and bool(table_for(resource_type.split("_", 1)[0]))


def _locations(resource: Resource, paths: tuple[str, ...]) -> list[tuple[Any, Place]]:
    """(value, place) of each location the resource writes at `paths`."""
    return [(m.value, Place(resource.path, resource.locations[m.location])) for path in paths
            for m in lookup(resource, path) if m.location in resource.locations]


def _region_key(value: Any) -> str:
    return region_key(value) if isinstance(value, str) else ""


def _region_keys(value: Any) -> set[str]:
    """The regions a location may be: its value, or each candidate the engine judges it as (OneOf)."""
    return {_region_key(c) for c in value.candidates} if isinstance(value, OneOf) else {_region_key(value)}


def region_verdict(provider: str, region_id: str, path: str, ctx: Context) -> Verdict:
    """One region id against the configured tier and allow/deny lists. A provider without a region table
    cannot place the id, nor can a table that lacks it (unresolved, naming both; RES-013 also reports an id its
    table lacks). A location the registry says is no region (`global`) passes: the rules on global services judge it."""
    key = region_key(region_id)
    if key in ctx.config.deny_regions:
        return fail(path, f"{region_id} is on the configured deny list")
    if key in ctx.config.allow_regions:
        return PASS
    table = table_for(provider)
    if table is None:
        return unknown(f"the country of region {region_id} (provider {provider} has no region table in "
                       f"policies/registries/regions.yaml)", path)
    if table == NOT_HOSTING:
        return PASS
    region = ctx.regions.lookup(table, region_id)
    if region is None:
        if ctx.regions.names_no_region(table, region_id):
            return PASS
        return unknown(f"the country of region {region_id} (provider {provider}'s table in "
                       f"policies/registries/regions.yaml, as of {ctx.regions.as_of}, does not list it)", path)
    if tier_allows(region.tier, ctx.config.residency_tier):
        return PASS
    return fail(path, f"{region_id} ({region.country}, tier {region.tier}) is outside the allowed tier {ctx.config.residency_tier}")


def region_known(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every written location value is a region id the registry knows (typos, new regions). Each fact gives one
    entry: a value not known statically, or a provider without a region table, is region_allowed's to report
    (RES-001 unresolved), and a value copied from another resource is judged on that resource."""
    table = table_for(_provider_of(resource, args))
    if not table:
        return PASS
    for match in _region_values(resource, args, base):
        value, path = match.value, match.location
        if not isinstance(value, str) or not value:
            continue
        if args.get("skip_inherited", True) and copied_from_another_resource(resource, path, value, ctx):
            continue
        if ctx.regions.lookup(table, value) is None:
            return fail(path, f"{value} is not in the region registry (as of {ctx.regions.as_of})", match.key)
    return PASS


def paired_region_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The geo-replication target (the paired region of each location at `path`) is in the allowed tier. A
    location the registry does not list has a pair it cannot tell (unresolved); a listed one without a pair
    replicates nowhere."""
    path = args.get("path", "location")
    return every(at_match(_pair_allowed(resource, args, match.value, path, ctx), path, match.location, match.key)
                 for match in lookup(resource, path, base) if match.value is not None)   # null: no location


def _pair_allowed(resource: Resource, args: dict[str, Any], value: Any, path: str, ctx: Context) -> Verdict:
    provider = args.get("provider", "azurerm")
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    region = ctx.regions.lookup(provider, str(value))
    if region is None:
        if ctx.regions.names_no_region(provider, str(value)):
            return PASS
        return unknown(f"the paired region of {value} (provider {provider}'s table in "
                       f"policies/registries/regions.yaml, as of {ctx.regions.as_of}, does not list it)", path)
    if region.pair is None:
        return PASS
    pair = ctx.regions.lookup(provider, region.pair)
    if pair is None:
        return unknown(f"the country of {value}'s paired region {region.pair} (not in "
                       "policies/registries/regions.yaml)", path)
    report_path = args.get("report", path)
    verdict = region_verdict(provider, pair.id, report_path, ctx)
    if verdict.state is False:
        denied = region_key(pair.id) in ctx.config.deny_regions
        why = "on the configured deny list" if denied else f"outside the allowed tier {ctx.config.residency_tier}"
        # the pair of a region a sensitive variable gave would give the region away
        shown = mask(pair.id) if resource.sensitive_at(path) else pair.id
        return fail(report_path, f"replicates to the paired region {shown} ({pair.country}, tier {pair.tier}), {why}")
    return verdict


def image_pinned(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every container image reference at `path` is pinned by digest (`@sha256:`)."""
    path = args.get("path", "image")
    matches = lookup(resource, path, base)
    if not matches:
        return fail(path, "no image")
    return every(at_match(_image_pinned(match.value, path), path, match.location, match.key) for match in matches)


def _image_pinned(value: Any, path: str) -> Verdict:
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    image = str(value)
    if "@sha256:" in image or image_registries().placeholder(image):
        return PASS
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if not tag:
        return fail(path, f"{image} has no tag or digest")
    if tag == "latest":
        return fail(path, f"{image} uses the mutable tag latest")
    return fail(path, f"{image} is pinned by tag, not by digest")


_REGION_ARGS = {"paths": STRINGS, "provider": STRING, "skip_inherited": BOOLEAN}

CORE: dict[str, PredicateSpec] = {
    "customer_key": spec(customer_key, required={"path": STRING}),
    "region_allowed": spec(region_allowed, optional={**_REGION_ARGS, "provider_defaults": BOOLEAN},
                           registries=("regions", "default-locations"), own_root=True),
    "region_known": spec(region_known, optional=_REGION_ARGS, registries=("regions",), own_root=True),
    "paired_region_allowed": spec(paired_region_allowed, optional={"path": STRING, "provider": STRING, "report": STRING},
                                  registries=("regions",)),
    "image_pinned": spec(image_pinned, optional={"path": STRING}),
}
