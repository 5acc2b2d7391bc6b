"""Kubernetes namespaces as the subject of namespace-wide rules: one `namespace` resource per namespace
that has workloads, with its workloads and whether a NetworkPolicy denies ingress to all of its pods."""
from __future__ import annotations

from typing import Any

from scanner.model.kubernetes import POD_SPEC_PATHS
from scanner.model.values import mapping
from scanner.model.resource import Model, Resource

NAMESPACE_TYPE = "namespace"
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


def namespace_of(resource: Resource) -> str:
    metadata = resource.values.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return namespace if isinstance(namespace, str) and namespace else "default"


def namespaces(model: Model) -> list[Resource]:
    """Located at the namespace's first workload (by file and line), where a person sees the namespace's
    workloads; the address names the namespace, so a finding keeps its identity when workloads move."""
    workloads: dict[str, list[Resource]] = {}
    for workload in model.of_type(tuple(POD_SPEC_PATHS)):
        if workload.kind == "kubernetes":
            workloads.setdefault(namespace_of(workload), []).append(workload)
    denying = {namespace_of(p) for p in model.by_type("NetworkPolicy")
               if p.kind == "kubernetes" and denies_ingress(p.values)}
    out = []
    for name, members in sorted(workloads.items()):
        first = min(members, key=lambda r: (r.path, r.line, r.address))
        values = {"name": name, "system": name in SYSTEM_NAMESPACES, "default_deny": name in denying,
                  "first_workload": first.address, "workloads": sorted(r.address for r in members)}
        locations = {"": first.line, "metadata": first.locations.get("metadata", first.line)}
        out.append(Resource("model", NAMESPACE_TYPE, f"namespace/{name}", first.path, first.line, values, locations,
                            end_line=first.end_line))
    return out


def denies_ingress(values: dict[str, Any]) -> bool:
    """A NetworkPolicy that selects every pod and allows no ingress."""
    spec = mapping(values.get("spec"))
    selector = spec.get("podSelector")
    if selector not in ({}, None) and selector != {"matchLabels": {}}:
        return False
    types = spec.get("policyTypes") or (["Ingress"] if "ingress" not in spec else [])
    return "Ingress" in types and not spec.get("ingress")
