"""The portability registry (portability.yaml): how portable each managed service is, off-provider copy
targets and the storage endpoint domains of each provider, and vendor-specific Kubernetes markers; and the
container image registries (image-registries.yaml)."""
from __future__ import annotations

import fnmatch
import functools
import re
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
    data_store_images: frozenset[str]   # image repository names of data stores that keep state in the pod
    annotations: tuple[VendorMarker, ...]
    ingress_classes: tuple[VendorMarker, ...]
    api_groups: tuple[VendorMarker, ...]
    # resource type -> (ARN service, resource part before the name, attribute naming it or "") for AWS Backup
    backup_arns: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    # resource-type prefix -> the domains of its object storage endpoints
    storage_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


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
                       frozenset(str(name) for name in data.get("data_store_images") or ()),
                       _markers(markers.get("annotations") or [], "prefix"),
                       _markers(markers.get("ingress_classes") or [], "name"),
                       _markers(markers.get("api_groups") or [], "group"),
                       {str(kind): (str(arn["service"]), str(arn["resource"]), str(arn.get("name", "")))
                        for kind, arn in (data.get("backup_arns") or {}).items()},
                       {str(provider): tuple(str(domain) for domain in domains)
                        for provider, domains in (data.get("storage_domains") or {}).items()})


@dataclass(frozen=True)
class ImageRegistry:
    host: str             # the host, or the glob (`*.azurecr.io`) the entry matches
    operator: str
    jurisdiction: str     # ISO 3166 alpha-2 of the operator's headquarters
    kind: str = "public"  # public | cloud (a customer's own registry at a cloud provider)
    provider: str = ""    # the region registry's provider key for `region`
    region: str = ""      # a region id, or a regex over the host with a named group `region`

    def matches(self, host: str) -> bool:
        return fnmatch.fnmatchcase(host, self.host) if "*" in self.host else host == self.host

    def region_of(self, host: str) -> str:
        """Where this registry stores the images of `host` ("" when the entry does not say)."""
        if not self.region or "(?P<region>" not in self.region:
            return self.region
        found = re.search(self.region, host)
        return found.group("region") if found else ""


_PLACEHOLDER = re.compile(r"[<>{}]|\$\{|\$\(|^\$[A-Za-z_]")


@dataclass(frozen=True)
class ImageRegistries:
    as_of: str
    default: str                          # the host of an image reference that names none (docker.io)
    aliases: Mapping[str, str]
    entries: tuple[ImageRegistry, ...]    # in file order: the first that matches a host wins

    @staticmethod
    def placeholder(image: str) -> bool:
        """`<YOUR-IMAGE>`, `${IMAGE}`, `{{ .Values.image }}`: a value filled in later, not an image."""
        return bool(_PLACEHOLDER.search(image))

    def reference(self, image: str) -> tuple[str, str]:
        """(registry host, repository) of an image reference; the default registry when none is written."""
        reference = image.split("@", 1)[0]
        first, _, rest = reference.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            host, name = first.lower(), rest
        else:
            host, name = self.default, reference
        if ":" in name.rsplit("/", 1)[-1]:
            name = name.rsplit(":", 1)[0]
        return self.aliases.get(host, host), name

    def lookup(self, host: str) -> ImageRegistry | None:
        """The registry entry for a host as written in an image reference."""
        host = self.aliases.get(host.lower(), host.lower())
        return next((e for e in self.entries if e.matches(host)), None)


@functools.lru_cache(maxsize=1)
def image_registries() -> ImageRegistries:
    data = document("image-registries")
    entries = tuple(ImageRegistry(str(r.get("host") or r["match"]).lower(), str(r["operator"]), str(r["jurisdiction"]),
                                  str(r.get("kind", "public")), str(r.get("provider", "")), str(r.get("region", "")))
                    for r in data["registries"])
    return ImageRegistries(str(data["as_of"]), str(data["default_registry"]),
                           {str(k): str(v) for k, v in (data.get("aliases") or {}).items()}, entries)


@functools.lru_cache(maxsize=4096)   # asked for every resource by several checks; few types
def classes_for(type_name: str) -> tuple[ServiceClass, ...]:
    """The registry's entries whose glob matches a resource type, in the registry's order."""
    return tuple(entry for entry in portability().types if fnmatch.fnmatchcase(type_name, entry.match))
