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
    """The objects of plain manifests, as written. One without a name is named by its document's place in the
    file (`#2`); parsing gives each item of a List that place, so an item after the first adds its number
    (`#2[1]`). One named by a `generateName` that an object of its kind and namespace earlier in the file has
    too adds its number (`migrate-*[1]`): the API server names each apart, and the file tells them apart here
    (another file's is addressed alike, but its findings are fingerprinted by that file)."""
    resources: list[Resource] = []
    items: dict[tuple[str, int], int] = {}     # (file, document) -> its items so far
    given: dict[tuple[str, str], int] = {}     # (file, address without a number) -> objects so far
    for document in documents:
        item = items[document.path, document.index] = items.get((document.path, document.index), -1) + 1
        fallback_name = f"#{document.index}" + (f"[{item}]" if item else "")
        for values, prefix in _objects(document):
            if not is_object(values):
                continue
            key = (document.path, address(values, ""))
            earlier = given[key] = given.get(key, -1) + 1
            resources.append(_resource(document, values, prefix, fallback_name, earlier))
    return resources


def address(values: dict, fallback_name: str, earlier: int = 0) -> str:
    """Kind/namespace/name; `fallback_name` for an object without one. One named by `generateName` after
    `earlier` others of its kind, namespace and prefix adds its number."""
    metadata = mapping(values.get("metadata"))
    name = metadata.get("name") or _generated_name(metadata, earlier) or fallback_name
    return f"{values['kind']}/{metadata.get('namespace') or 'default'}/{name}"


def _generated_name(metadata: dict, earlier: int) -> str:
    """`prefix*` for an object named by `generateName` (the API server adds a random suffix), so a reader can
    find it; `prefix*[1]` for the second with that prefix, so the two keep their own fingerprints."""
    prefix = metadata.get("generateName")
    if not isinstance(prefix, str) or not prefix:
        return ""
    return f"{prefix}*" + (f"[{earlier}]" if earlier else "")


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


def _resource(document: YamlDocument, values: dict, prefix: tuple, fallback_name: str, earlier: int) -> Resource:
    kind = values["kind"]
    locations = {}
    for path, line in document.locations.items():
        if path[: len(prefix)] == prefix:
            locations[dotted(path[len(prefix):])] = line
    return Resource(
        "kubernetes", kind, address(values, fallback_name + (f".{dotted(prefix)}" if prefix else ""), earlier),
        document.path, locations.get("", document.line), values, locations, pod_spec_path=pod_spec_path(values),
        end_line=max(locations.values(), default=0))


def rendered(objects: list[RenderedObject]) -> list[Resource]:
    """The objects of a build, each located where its document starts (the base manifest, the template), with
    the lines of that file in `locations` and every field's own place in `places`.

    An object without a name is named by that file and how many unnamed objects of its kind and namespace the
    file gave before it (`Pod/default/#chart/templates/jobs.yaml[1]`): two never share an address, nor a
    fingerprint where a values file sets a field of both, and an object from another file or with a name does
    not renumber it. One named by a `generateName` that an object of its kind and namespace the build rendered
    before it has too adds its number (`migrate-*[1]`), whichever file it comes from: a values file can set a
    field of both."""
    seen: dict[str, int] = {}     # Kind/namespace/#file, or Kind/namespace/prefix* -> objects of it so far
    resources = []
    for rendered_object in objects:
        if not is_object(rendered_object.values):
            continue
        stand_in = address(rendered_object.values, f"#{rendered_object.origin.path}")
        ordinal = seen[stand_in] = seen.get(stand_in, -1) + 1
        resources.append(_rendered(rendered_object, f"#{rendered_object.origin.path}[{ordinal}]", ordinal))
    return resources


def _rendered(rendered_object: RenderedObject, fallback_name: str, earlier: int) -> Resource:
    values = rendered_object.values
    origin = rendered_object.origin
    locations = {path: place.line for path, place in rendered_object.places.items() if place.path == origin.path}
    kind = values["kind"]
    return Resource(
        "kubernetes", kind, address(values, fallback_name, earlier), origin.path, origin.line, values, locations,
        pod_spec_path=pod_spec_path(values), end_line=max(locations.values(), default=0),
        root=rendered_object.build, places=rendered_object.places)
