"""Kustomize patches are inputs, not objects (design §6): a strategic-merge patch names a Deployment but
holds only the fields it changes, so judging it as a Deployment ("runs a single replica", "no resources")
says something false about the object the build renders.

The documents of a file a kustomization or component lists under `patches`, `patchesStrategicMerge` or
`patchesJson6902`, and any document carrying the `$patch` directive, leave the model's objects. Their
text stays a text file (secret detectors still read it).
"""
from __future__ import annotations

import posixpath
from typing import Any

from scanner.model.resource import Model, Resource

KUSTOMIZE_KINDS = ("Kustomization", "Component")


def patch_files(model: Model) -> set[str]:
    """Repository paths of the files the scanned kustomizations and components use as patches."""
    found: set[str] = set()
    for kustomization in model.of_type(KUSTOMIZE_KINDS):
        if kustomization.kind != "kubernetes" or \
                not str(kustomization.values.get("apiVersion", "")).startswith("kustomize.config.k8s.io/"):
            continue
        directory = posixpath.dirname(kustomization.path)
        for entry in _patch_entries(kustomization.values):
            found.add(posixpath.normpath(posixpath.join(directory, entry)))
    return found


def _patch_entries(values: dict[str, Any]) -> list[str]:
    entries: list[str] = []
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for item in values.get(key) or []:
            path = item.get("path") if isinstance(item, dict) else item
            if isinstance(path, str) and "\n" not in path:   # an inline patch is YAML text, not a file
                entries.append(path)
    return entries


def is_patch(resource: Resource, files: set[str]) -> bool:
    return resource.kind == "kubernetes" and (resource.path in files or "$patch" in resource.values)
