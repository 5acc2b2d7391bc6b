"""Container images as repository-level facts.

Where the images come from is a fact about the repository (is there an allow-list of registries, which
registries are used), reported once rather than once per container:
- one `container_images` resource with every image reference of the scanned Kubernetes workloads. It sits in the configuration file that would carry the allow-list (`.sovscan.yaml`
  at the scan root) when the scan has one, else at the first image reference;
- one `image_registry` resource per registry host the images come from, at the first image from it, with
  the references from that host.
"""
from __future__ import annotations

import posixpath
from typing import Any

from scanner.model.derive.roots import repository_root
from scanner.model.kubernetes import POD_SPEC_PATHS
from scanner.model.paths import resolve
from scanner.model.resource import Model, Resource
from scanner.registries.portability import image_registries

CONTAINER_IMAGES_TYPE = "container_images"
IMAGE_REGISTRY_TYPE = "image_registry"
CONFIG_FILE = ".sovscan.yaml"


def container_images(model: Model) -> list[Resource]:
    images = _references(model)
    if not images:
        return []
    first = images[0]
    config = _config_file(model)
    path, line = (config, 1) if config else (first["path"], first["line"])
    values = {"images": images}
    return [Resource("model", CONTAINER_IMAGES_TYPE, "container_images", path, line, values, {"": line}),
            *_registries(images)]


def _references(model: Model) -> list[dict[str, Any]]:
    """Every image reference of a Kubernetes workload, with its registry host and place, in file order."""
    data = image_registries()
    images: list[dict[str, Any]] = []
    for workload in model.of_type(tuple(POD_SPEC_PATHS)):
        if workload.kind != "kubernetes":
            continue
        for each in ("pod.containers[*]", "pod.initContainers[*]"):
            for container in resolve(workload, each):
                image = container.value.get("image") if isinstance(container.value, dict) else None
                if isinstance(image, str) and image.strip() and not data.placeholder(image):
                    host, name = data.reference(image.strip())
                    images.append({"image": image.strip(), "host": host, "name": name, "workload": workload.address,
                                   "path": workload.path, "line": workload.line_of(f"{container.location}.image")})
    return sorted(images, key=lambda i: (i["path"], i["line"], i["workload"]))


def _registries(images: list[dict[str, Any]]) -> list[Resource]:
    by_host: dict[str, list[dict[str, Any]]] = {}
    for image in images:
        by_host.setdefault(image["host"], []).append(image)
    out = []
    for host, members in sorted(by_host.items()):
        first = members[0]
        values = {"host": host, "references": len(members), "first_workload": first["workload"],
                  "images": [m["image"] for m in members]}
        out.append(Resource("model", IMAGE_REGISTRY_TYPE, f"image_registry/{host}", first["path"], first["line"],
                            values, {"": first["line"]}))
    return out


def _config_file(model: Model) -> str:
    """The scan root's .sovscan.yaml, when it was scanned."""
    root = repository_root(model)
    wanted = posixpath.join(root, CONFIG_FILE) if root else CONFIG_FILE
    return next((r.path for r in model.by_type("text_file") if r.path == wanted), "")
