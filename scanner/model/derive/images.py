"""Container images as one repository-level fact: every image reference of the scanned Kubernetes
workloads, with the place it is written, in one `container_images` resource.

Where the images come from is a fact about the repository (is there an allow-list of registries, which
registries are used), reported once rather than once per container. The resource sits in the
configuration file that would carry the allow-list (`.sovscan.yaml` at the scan root) when the scan has
one, else at the first image reference, where a reader sees where images come from.
"""
from __future__ import annotations

import posixpath
from typing import Any

from scanner.model.derive.roots import repository_root
from scanner.model.kubernetes import POD_SPEC_PATHS
from scanner.model.paths import resolve
from scanner.model.resource import Model, Resource

CONTAINER_IMAGES_TYPE = "container_images"
CONFIG_FILE = ".sovscan.yaml"


def container_images(model: Model) -> list[Resource]:
    images: list[dict[str, Any]] = []
    for workload in model.of_type(tuple(POD_SPEC_PATHS)):
        if workload.kind != "kubernetes":
            continue
        for each in ("pod.containers[*]", "pod.initContainers[*]"):
            for container in resolve(workload, each):
                image = container.value.get("image") if isinstance(container.value, dict) else None
                if isinstance(image, str) and image.strip():
                    images.append({"image": image.strip(), "workload": workload.address, "path": workload.path,
                                   "line": workload.line_of(f"{container.location}.image")})
    if not images:
        return []
    images.sort(key=lambda i: (i["path"], i["line"], i["workload"]))
    first = images[0]
    config = _config_file(model)
    path, line = (config, 1) if config else (first["path"], first["line"])
    values = {"images": images}
    return [Resource("model", CONTAINER_IMAGES_TYPE, "container_images", path, line, values, {"": line})]


def _config_file(model: Model) -> str:
    """The scan root's .sovscan.yaml, when it was scanned."""
    root = repository_root(model)
    wanted = posixpath.join(root, CONFIG_FILE) if root else CONFIG_FILE
    return next((r.path for r in model.by_type("text_file") if r.path == wanted), "")
