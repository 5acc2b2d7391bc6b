"""The tags (labels on Google) a Terraform resource carries: its own, over its provider's `default_tags`, and
the parts of those that are not known statically (`tags = var.tags`), which may carry any key."""
from __future__ import annotations

from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.values import Unknown


def known_tags(resource: Resource) -> dict:
    """The tags known statically: the provider's default tags, then the resource's own (which win)."""
    tags: dict = {}
    for block in resource.provider_values.get("default_tags") or []:
        if isinstance(block, dict) and isinstance(block.get("tags"), dict):
            tags.update(block["tags"])
    for key in ("tags", "labels"):
        if isinstance(resource.values.get(key), dict):
            tags.update(resource.values[key])
    return tags


def hidden_tags(resource: Resource) -> list[Unknown]:
    """The resource's tags (or labels) and its provider's default tags that are not known statically."""
    blocks = resource.provider_values.get("default_tags")
    found = [blocks] if isinstance(blocks, Unknown) else \
        [b.get("tags") for b in blocks or [] if isinstance(b, dict) and isinstance(b.get("tags"), Unknown)]
    return found + [resource.values[key] for key in ("tags", "labels") if isinstance(resource.values.get(key), Unknown)]


def tags_at(resource: Resource, path: str | None = None,
            base: Match | None = None) -> tuple[dict, list[Unknown]] | Unknown:
    """(known tags, the parts not known statically) a rule reads: the map at `path` when a policy names one,
    else the resource's tags; the Unknown at `path` when that map is not known statically."""
    if path is None:
        return known_tags(resource), hidden_tags(resource)
    found = [m.value for m in lookup(resource, path, base)]
    if found and isinstance(found[0], Unknown):
        return found[0]
    return (found[0] if found and isinstance(found[0], dict) else {}), []
