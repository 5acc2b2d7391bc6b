"""Stage 3 for Kubernetes: documents with apiVersion and kind become Resources `Kind/namespace/name`."""
from __future__ import annotations

from scanner.model.values import mapping
from scanner.model.resource import Resource
from scanner.parse.yaml import YamlDocument

POD_SPEC_PATHS = {
    "Pod": "spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "ReplicationController": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
}


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


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
    resources: list[Resource] = []
    for document in documents:
        for values, prefix in _objects(document):
            resource = _resource(document, values, prefix)
            if resource is not None:
                resources.append(resource)
    return resources


def _resource(document: YamlDocument, values: dict, prefix: tuple) -> Resource | None:
    kind, api_version = values.get("apiVersion"), values.get("kind")
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return None
    kind = values["kind"]
    metadata = mapping(values.get("metadata"))
    namespace = metadata.get("namespace") or "default"
    name = metadata.get("name") or f"#{document.index}"
    locations = {}
    for path, line in document.locations.items():
        if path[: len(prefix)] == prefix:
            locations[dotted(path[len(prefix):])] = line
    return Resource(
        "kubernetes", kind, f"{kind}/{namespace}/{name}", document.path, locations.get("", document.line),
        values, locations, pod_spec_path=POD_SPEC_PATHS.get(kind, ""), end_line=max(locations.values(), default=0))
