"""Container image predicates: which registry an image comes from, who operates it, and where it stores
the images.

The registries, their operators, jurisdictions and storage regions are data
(policies/registries/image-registries.yaml); regions are judged with the region registry like any other
location, so `us-central1-docker.pkg.dev` is a US region and `europe-west4-docker.pkg.dev` an EU one.
"""
from __future__ import annotations

import fnmatch
import re
from collections import Counter
from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.core import region_verdict
from scanner.evaluate.predicates.spec import STRING, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.values import Unknown
from scanner.registries.portability import ImageRegistry, image_registries


def image_registry(image: str) -> tuple[str, str]:
    """(registry host, repository) of an image reference; Docker Hub when no host is written."""
    return image_registries().reference(image)


def _allowed(host: str, name: str, allowed: tuple[str, ...]) -> bool:
    full = f"{host}/{name}"
    for pattern in allowed:
        pattern = pattern.lower().rstrip("/")
        if host == pattern or full.startswith(pattern + "/") or fnmatch.fnmatchcase(host, pattern) \
                or fnmatch.fnmatchcase(full, pattern):
            return True
    return False


def _allow_list(ctx: Context) -> tuple[str, ...]:
    return tuple(getattr(ctx.config, "image_registries", ()) or ())


def _image(resource: Resource, path: str, base: Match | None) -> str | Unknown | None:
    matches = lookup(resource, path, base)
    if not matches:
        return None
    value = matches[0].value
    return value if isinstance(value, Unknown) else str(value)


def _outside_eu(entry: ImageRegistry | None, ctx: Context) -> bool:
    return entry is not None and ctx.regions.country_tier(entry.jurisdiction) not in ("eu", "eea")


def image_registries_listed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The configuration lists the allowed registries (exit.image_registries): applicability of the
    per-image check, and of the repository-level note when it is absent."""
    if _allow_list(ctx):
        return PASS
    return fail("", "no exit.image_registries allow-list is configured")


def image_registry_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The image comes from a registry on exit.image_registries (hosts, host/path prefixes or globs)."""
    path = args.get("path", "image")
    value = _image(resource, path, base)
    if value is None:
        return PASS    # no image: EXIT-020 reports that
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    if image_registries().placeholder(value):
        return PASS
    host, name = image_registry(value)
    if _allowed(host, name, _allow_list(ctx)):
        return PASS
    return fail(path, f"comes from {host}/{name}, which is not on exit.image_registries")


def images_from_eu_registries(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Repository-level (the derived `container_images`): no image comes from a registry operated outside
    the EU/EEA. The finding is the inventory: how many images, from which registries, run by whom."""
    data = image_registries()
    foreign: Counter = Counter()
    labels: dict[str, str] = {}
    images = resource.values.get("images") or []
    for item in images:
        host, _ = image_registry(str(item["image"]))
        entry = data.lookup(host)
        if _outside_eu(entry, ctx):
            assert entry is not None
            foreign[host] += 1
            labels[host] = f"{host} ({entry.operator}, {entry.jurisdiction})"
    if not foreign:
        return PASS
    listed = ", ".join(f"{labels[h]} x{n}" for h, n in sorted(foreign.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
    more = f" and {len(foreign) - 8} more registries" if len(foreign) > 8 else ""
    return fail("", f"{sum(foreign.values())} of {len(images)} image references come from registries operated "
                    f"outside the EU: {listed}{more} (image registry data as of {data.as_of})", "registries")


def image_region_allowed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The registry (a derived `image_registry`: one per host the images come from) stores the images in
    an allowed region, where the registry says where: Artifact Registry's LOCATION-docker.pkg.dev,
    gcr.io's multi-regions, ECR's region. A registry that names no region (Docker Hub, ACR) passes: its
    operator's jurisdiction is EXIT-010's concern."""
    host = str(resource.values.get("host", ""))
    entry = image_registries().lookup(host)
    region = entry.region_of(host) if entry is not None else ""
    if entry is None or not region:
        return PASS
    known = ctx.regions.lookup(entry.provider, region)
    if known is None:
        return unknown(f"the region {region} of registry {host} (not in the region registry)")
    verdict = region_verdict(entry.provider, region, "", ctx)
    if verdict.state is not False:
        return verdict
    count, first = resource.values.get("references"), resource.values.get("first_workload")
    where = "on the configured deny list" if region.lower() in ctx.config.deny_regions else \
        f"({known.country}, tier {known.tier}), outside the allowed tier {ctx.config.residency_tier}"
    return fail("", f"{count} image reference(s) (first: {first}) are pulled from a registry that stores them in "
                    f"{region} {where}")


# latest, alpine, stable-slim, release_candidate, k8s, e2e: words, and digits only inside a word name no version
_WORD = r"[A-Za-z]+(?:\d+[A-Za-z]+)*"
_MOVING_TAG = re.compile(rf"{_WORD}(?:[._-]{_WORD})*")
_COMMIT_ID = re.compile(r"[0-9a-fA-F]{7,40}")
_STAGED_VERSION = re.compile(r"(?i)v\d+(?:alpha|beta|rc)\d*")
# pr-620, mr-12, pull_7: CI pushes a pull or merge request's image under its number again on every push to it
_REQUEST_TAG = re.compile(r"(?i)(?:pr|mr|pull|merge)[-_.]?\d+")


def image_version_fixed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The image names a fixed version: a digest, or a tag other than words (`latest`, `alpine`, `beta`,
    `stable`, `bookworm`, `release_candidate`, `e2e` move as their image is rebuilt or released; a commit id,
    `deadbeef` or `sha-a3f9c2b`, a staged version, `v2beta`, or a token a tool fills in, `$TAG`, `__TAG__`,
    `@project.version@`, is not a word; a pull or merge request's number, `pr-620`, moves with the request),
    or an image skaffold builds (it deploys each build under the tag it gave it). A name a kustomization's `images:` rewrites is judged
    in the build that rewrites it; where it stays as written it is unresolved."""
    path = args.get("path", "image")
    value = _image(resource, path, base)
    if value is None:
        return PASS    # a container without an image is a patch or a fragment, not something that runs
    if isinstance(value, Unknown):
        return PASS if value.kind == "build" and value.refers_to == "skaffold" else unknown(value.reason, path)
    if image_registries().placeholder(value):
        return PASS    # <YOUR-IMAGE>, ${IMAGE}: the image is filled in when the manifest is used
    if "@sha256:" in value:
        return PASS
    last = value.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if not tag:
        return fail(path, f"{value} has no tag or digest")
    if _REQUEST_TAG.fullmatch(tag):
        return fail(path, f"{value} uses the tag {tag}, a pull or merge request's, which CI pushes again on every "
                          "change to the request")
    if not _MOVING_TAG.fullmatch(tag) or _names_a_build(tag):
        return PASS
    return fail(path, f"{value} uses the mutable tag {tag}" + ("" if tag == "latest" else ", which names no version"))


def _names_a_build(tag: str) -> bool:
    """A tag of words that still names one build: a commit id (`deadbeef`, `sha-a3f9c2b`, `main-e4d1c0f`), or
    a version with a stage (`v2beta`, `v1alpha1`)."""
    parts = re.split(r"[._-]", tag)
    return bool(_COMMIT_ID.fullmatch(tag)) or any(_COMMIT_ID.fullmatch(p) and not p.isalpha() for p in parts) \
        or any(_STAGED_VERSION.fullmatch(p) for p in parts)


IMAGES: dict[str, PredicateSpec] = {
    "image_registries_listed": spec(image_registries_listed),
    "image_registry_allowed": spec(image_registry_allowed, optional={"path": STRING}),
    "images_from_eu_registries": spec(images_from_eu_registries, derived=("images",), registries=("image-registries",)),
    "image_region_allowed": spec(image_region_allowed, derived=("images",), registries=("image-registries", "regions")),
    "image_version_fixed": spec(image_version_fixed, optional={"path": STRING},
                                reads=("images skaffold builds (it deploys them under the tag it gave them)",)),
}
