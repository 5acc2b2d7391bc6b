"""Image names a build tool replaces at deploy time: placeholders, not image references.

skaffold.yaml builds the images it lists (`build.artifacts[].image`, also under `profiles[].build`) and
rewrites them, in the manifests it deploys, to the tag it built; a kustomization's `images:` entry
rewrites the name it lists in the objects of its build. Where such a name stays as written (a manifest
under the skaffold.yaml's directory, a base that one overlay rewrites and another build takes as it is),
the image a cluster pulls is decided by the tool, so the value is an Unknown of kind "build" and the
image rules leave it unresolved instead of calling it untagged or from Docker Hub.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Mapping

from scanner.discover import KUSTOMIZATION_FILES
from scanner.model.rendered import RenderedBuild
from scanner.model.resource import Resource
from scanner.model.values import Unknown, mapping
from scanner.parse.files import ParsedFile

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


@dataclass(frozen=True)
class Placeholders:
    skaffold: dict[str, frozenset[str]] = field(default_factory=dict)   # directory of a skaffold.yaml -> images
    rewritten: dict[str, frozenset[str]] = field(default_factory=dict)  # file -> names a build's `images:` rewrites

    def tool(self, name: str, path: str) -> str:
        """The tool that replaces image `name` written in file `path`, or ""."""
        for directory, names in self.skaffold.items():
            if name in names and (not directory or path.startswith(directory + "/")):
                return "skaffold"
        return "kustomize" if name in self.rewritten.get(path, ()) else ""


def image_placeholders(files: list[ParsedFile], builds: list[RenderedBuild],
                       kustomizations: Mapping[str, dict]) -> Placeholders:
    """kustomizations: path -> the kustomization's mapping, for every kustomization file of the scan."""
    skaffold: dict[str, set[str]] = {}
    for parsed in files:
        for document in parsed.documents:
            values = document.values
            if isinstance(values, dict) and str(values.get("apiVersion", "")).startswith("skaffold/"):
                skaffold.setdefault(posixpath.dirname(parsed.source.path), set()).update(_artifacts(values))
    rewritten: dict[str, set[str]] = {}
    for build in builds:
        if build.tool != "kustomize":
            continue
        names = {name for path in build.inputs if path in kustomizations for name in _image_names(kustomizations[path])}
        for path in build.inputs if names else ():
            rewritten.setdefault(path, set()).update(names)
    return Placeholders({d: frozenset(n) for d, n in skaffold.items() if n},
                        {p: frozenset(n) for p, n in rewritten.items()})


def _artifacts(config: dict[str, Any]) -> set[str]:
    builds = [mapping(config.get("build"))]
    builds += [mapping(mapping(p).get("build")) for p in config.get("profiles") or [] if isinstance(p, dict)]
    return {a["image"] for b in builds for a in b.get("artifacts") or []
            if isinstance(a, dict) and isinstance(a.get("image"), str)}


def _image_names(kustomization: dict[str, Any]) -> set[str]:
    entries = kustomization.get("images")
    return {e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)} \
        if isinstance(entries, list) else set()


def image_name(reference: str) -> str:
    """`registry/name:tag@sha256:...` -> `registry/name`."""
    reference = reference.split("@", 1)[0]
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    return reference[:colon] if colon > slash else reference


def without_placeholders(resource: Resource, placeholders: Placeholders) -> Resource:
    """The resource with each placeholder image replaced by an Unknown naming the tool."""
    if resource.kind != "kubernetes" or not resource.pod_spec_path:
        return resource
    pod_path = resource.pod_spec_path.split(".")
    pod = _at(resource.values, pod_path)
    for list_key in CONTAINER_LISTS:
        containers = mapping(pod).get(list_key)
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            image = mapping(container).get("image")
            if not isinstance(image, str):
                continue
            place = resource.place_of(f"{resource.pod_spec_path}.{list_key}[{index}].image")
            if posixpath.basename(place.path) in KUSTOMIZATION_FILES:
                continue   # written by an `images:` entry: what the build deploys
            tool = placeholders.tool(image_name(image), place.path)
            if tool:
                unknown = Unknown(f"image {image} ({tool} replaces it when it deploys)", tool, kind="build")
                resource.values = _set(resource.values, pod_path + [list_key, index, "image"], unknown)
    return resource


def _at(values: Any, keys: list[str]) -> Any:
    for key in keys:
        values = mapping(values).get(key)
    return values


def _set(values: Any, keys: list[Any], new: Any) -> Any:
    """A copy of `values` with the element at `keys` replaced; what the parse stage made is not changed."""
    if not keys:
        return new
    head, rest = keys[0], keys[1:]
    if isinstance(values, dict):
        return {**values, head: _set(values[head], rest, new)}
    copied = list(values)
    copied[head] = _set(copied[head], rest, new)
    return copied
