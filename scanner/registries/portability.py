"""The portability registry (portability.yaml): how portable each managed service is, off-provider copy
targets, and vendor-specific Kubernetes markers; and the container image registries (image-registries.yaml)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from scanner.registries import document


@dataclass(frozen=True)
class ServiceClass:
    match: str                      # glob on the resource type
    klass: str                      # portable | moderate | proprietary
    category: str
    engine: str = ""
    alternative: str = ""
    when: Mapping[str, str] = field(default_factory=dict)   # attribute path -> regex on its value


@dataclass(frozen=True)
class VendorMarker:
    key: str             # annotation prefix, ingress class name or API group
    vendor: str
    alternative: str


@dataclass(frozen=True)
class Portability:
    as_of: str
    types: tuple[ServiceClass, ...]
    copy_targets: frozenset[str]
    annotations: tuple[VendorMarker, ...]
    ingress_classes: tuple[VendorMarker, ...]
    api_groups: tuple[VendorMarker, ...]


def _markers(entries: list[dict[str, Any]], key: str) -> tuple[VendorMarker, ...]:
    return tuple(VendorMarker(str(e[key]), str(e["vendor"]), str(e["alternative"])) for e in entries)


@functools.lru_cache(maxsize=1)
def portability() -> Portability:
    data = document("portability")
    types = tuple(ServiceClass(str(e["match"]), str(e["class"]), str(e.get("category", "")), str(e.get("engine", "")),
                               str(e.get("alternative", "")), {str(k): str(v) for k, v in (e.get("when") or {}).items()})
                  for e in data["types"])
    markers = data.get("kubernetes") or {}
    return Portability(str(data["as_of"]), types, frozenset(data.get("copy_targets") or ()),
                       _markers(markers.get("annotations") or [], "prefix"),
                       _markers(markers.get("ingress_classes") or [], "name"),
                       _markers(markers.get("api_groups") or [], "group"))


@dataclass(frozen=True)
class ImageRegistry:
    host: str
    operator: str
    jurisdiction: str     # ISO 3166 alpha-2 of the operator's headquarters


@dataclass(frozen=True)
class ImageRegistries:
    as_of: str
    default: str                          # the host of an image reference that names none (docker.io)
    aliases: Mapping[str, str]
    registries: Mapping[str, ImageRegistry]


@functools.lru_cache(maxsize=1)
def image_registries() -> ImageRegistries:
    data = document("image-registries")
    known = {str(r["host"]): ImageRegistry(str(r["host"]), str(r["operator"]), str(r["jurisdiction"]))
             for r in data["registries"]}
    return ImageRegistries(str(data["as_of"]), str(data["default_registry"]),
                           {str(k): str(v) for k, v in (data.get("aliases") or {}).items()}, known)
