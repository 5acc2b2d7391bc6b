"""Stage 3 for Kubernetes: objects become Resources `Kind/namespace/name`.

A plain manifest's documents are the objects as written; plain manifests have root "", so they are
judged together (nothing says which of them are applied together). An object a Kustomize build or a Helm chart rendered (scanner/model/deployed.py) is addressed after the
build's namespace and name prefix, its root is the build root, and every field keeps the place a person
edits to change it (`Resource.places`). Documents a tool reads but never applies are not objects: those
annotated `config.kubernetes.io/local-config: "true"`, kustomizations, and build-tool configurations
(build_tools.yaml).
"""
from __future__ import annotations

import functools
import sys

from scanner.model.rendered import RenderedObject
from scanner.model.resource import Resource
from scanner.model.values import mapping
from scanner.parse.yaml import YamlDocument, packaged

POD_SPEC_PATHS = {
    "Pod": "spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "ReplicationController": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
    "Rollout": "spec.template.spec",   # Argo Rollouts; one with a workloadRef runs the pods of the Deployment it names
}
# Kinds other API groups use too for objects that run no pods (OpenKruise's Rollout is a release strategy)
POD_SPEC_GROUPS = {"Rollout": "argoproj.io"}
LOCAL_CONFIG = "config.kubernetes.io/local-config"


def dotted(path: tuple) -> str:
    """(spec, containers, 0, image) -> spec.containers[0].image; interned, as tree.flatten's paths are."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return sys.intern(out)


@functools.cache
def _build_tools() -> tuple[frozenset[str], frozenset[str]]:
    """(API groups, "apiVersion kind" pairs) of build-tool configurations."""
    data = packaged("scanner.model", "build_tools.yaml")
    return frozenset(data["api_groups"]), frozenset(data["api_version_kinds"])


def is_object(values: object) -> bool:
    """A document a cluster would receive: apiVersion and kind, and not one a tool only reads."""
    if not isinstance(values, dict):
        return False
    api_version, kind = values.get("apiVersion"), values.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return False
    if "$patch" in values:
        return False   # a strategic-merge patch directive ($patch: delete), not an object
    groups, pairs = _build_tools()
    if api_version.split("/", 1)[0] in groups or f"{api_version} {kind}" in pairs:
        return False
    annotations = mapping(mapping(values.get("metadata")).get("annotations"))
    return str(annotations.get(LOCAL_CONFIG, "false")).lower() != "true"


def _objects(document: YamlDocument):
    """(values, key-path prefix) for each object; List kinds are unpacked."""
    values = document.values
    if not isinstance(values, dict):
        return
    kind = values.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(values.get("items"), list):
        for i, item in enumerate(values["items"]):
            if isinstance(item, dict):
                yield item, ("items", i)
        return
    yield values, ()


def build(documents: list[YamlDocument]) -> list[Resource]:
    """The objects of plain manifests, as written."""
    resources: list[Resource] = []
    for document in documents:
        for values, prefix in _objects(document):
            resource = _resource(document, values, prefix)
            if resource is not None:
                resources.append(resource)
    return resources


def address(values: dict, fallback_name: str) -> str:
    """Kind/namespace/name; an object named by `generateName` (the API server adds a random suffix) is
    `prefix*`, so a reader can find it."""
    metadata = mapping(values.get("metadata"))
    namespace = metadata.get("namespace") or "default"
    generated = metadata.get("generateName")
    name = metadata.get("name") or (f"{generated}*" if isinstance(generated, str) and generated else fallback_name)
    return f"{values['kind']}/{namespace}/{name}"


def pod_spec_path(values: dict) -> str:
    """Where an object's pod spec is ("" for an object that runs no pods)."""
    kind = values.get("kind")
    group = POD_SPEC_GROUPS.get(kind) if isinstance(kind, str) else None
    if group is not None and str(values.get("apiVersion", "")).split("/", 1)[0] != group:
        return ""
    return POD_SPEC_PATHS.get(kind, "") if isinstance(kind, str) else ""


def runs_its_pods(workload: Resource) -> bool:
    """The object runs pods from its own template: not an object of another API group that shares a workload
    kind, nor an Argo Rollout with a workloadRef (the Deployment it names holds the template)."""
    spec = mapping(workload.values.get("spec"))
    return bool(workload.pod_spec_path) and not (workload.type == "Rollout" and spec.get("workloadRef") is not None)


def _resource(document: YamlDocument, values: dict, prefix: tuple) -> Resource | None:
    if not is_object(values):
        return None
    kind = values["kind"]
    locations = {}
    for path, line in document.locations.items():
        if path[: len(prefix)] == prefix:
            locations[dotted(path[len(prefix):])] = line
    return Resource(
        "kubernetes", kind, address(values, f"#{document.index}"), document.path, locations.get("", document.line),
        values, locations, pod_spec_path=pod_spec_path(values), end_line=max(locations.values(), default=0))


def rendered(rendered_object: RenderedObject) -> Resource:
    """A rendered object: located where its document starts (the base manifest, the template), with the
    lines of that file in `locations` and every field's own place in `places`."""
    values = rendered_object.values
    origin = rendered_object.origin
    locations = {path: place.line for path, place in rendered_object.places.items() if place.path == origin.path}
    kind = values["kind"]
    return Resource(
        "kubernetes", kind, address(values, "#unnamed"), origin.path, origin.line, values, locations,
        pod_spec_path=pod_spec_path(values), end_line=max(locations.values(), default=0),
        root=rendered_object.build, places=rendered_object.places)
