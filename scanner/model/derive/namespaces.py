"""Kubernetes namespaces as the subject of namespace-wide rules: one `namespace` resource per namespace
that has workloads in a deployed unit (a rendered build, or the plain manifests of one repository), with its
workloads and whether a NetworkPolicy of the same unit denies ingress to all of its pods."""
from __future__ import annotations

from typing import Any

from scanner.demonstration import in_demonstration
from scanner.evaluate.operators import OPERATORS
from scanner.model.kubernetes import POD_SPEC_PATHS, runs_its_pods
from scanner.model.paths import resolve
from scanner.model.rendered import UNRENDERED_FACT
from scanner.model.values import mapping
from scanner.model.repository import REPOSITORY_TYPE, deployment_unit, nested_in
from scanner.model.resource import Model, Resource

NAMESPACE_TYPE = "namespace"
SCALERS = ("HorizontalPodAutoscaler", "ScaledObject", "Rollout")   # name the workloads they scale or run
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


def namespace_of(resource: Resource) -> str:
    metadata = resource.values.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return namespace if isinstance(namespace, str) and namespace else "default"


def namespaces(model: Model) -> list[Resource]:
    """One per namespace of each deployed unit (a rendered build, or the plain manifests of one repository): a
    NetworkPolicy of another build or repository does not isolate this one's pods. Located at the namespace's first
    workload (by file and line), where a person sees the namespace's workloads, or, for a rendered
    object, where its namespace is set (an overlay's `namespace:`); the address names the namespace, so a
    finding keeps its identity when workloads move. `open_workloads` are the workloads whose pods no
    ingress NetworkPolicy selects: they accept traffic from any pod; a pod some policy selects accepts only
    what the namespace's policies allow, and a workload switched off (`replicas: 0`) runs none."""
    repositories = nested_in(model.by_type(REPOSITORY_TYPE))

    def unit(resource: Resource) -> tuple[str, str, str]:
        """(build root, repository of plain manifests, namespace): what is deployed together."""
        return *deployment_unit(resource, repositories), namespace_of(resource)

    workloads: dict[tuple[str, str, str], list[Resource]] = {}
    for workload in model.of_type(tuple(POD_SPEC_PATHS)):
        if workload.kind == "kubernetes" and runs_its_pods(workload):
            workloads.setdefault(unit(workload), []).append(workload)
    policies = [p for p in model.by_type("NetworkPolicy") if p.kind == "kubernetes"]
    scaled = {unit(s) + target for s in model.of_type(SCALERS) if s.kind == "kubernetes" for target in _scales(s)}
    denying = {unit(p) for p in policies if denies_ingress(p.values)}
    out = []
    for (root, repository, name), members in sorted(workloads.items()):
        ingress = [mapping(p.values.get("spec")) for p in policies
                   if unit(p) == (root, repository, name) and _ingress(p.values)]
        open_members = [r for r in members if not _switched_off(r, (root, repository, name), scaled)
                        and not _host_network(r)
                        and not any(_selects_pods(spec.get("podSelector"), pod_labels(r)) for spec in ingress)]
        # where a person sees what the finding is about: the first workload no policy selects, a deployed one
        # before demonstration code (a gap only an archived example has stays a note)
        first = min(open_members or members, key=lambda r: (in_demonstration(r.path, model.demonstration_directories),
                                                            r.path, r.line, r.address))
        open_workloads = _deployed_first(open_members, model.demonstration_directories)
        values = {"name": name, "system": name in SYSTEM_NAMESPACES, "default_deny": (root, repository, name) in denying,
                  "first_workload": first.address, "workloads": sorted({r.address for r in members}),
                  "open_workloads": open_workloads, "named": any(_names_namespace(r) for r in members)}
        locations = {"": first.line, "metadata": first.locations.get("metadata", first.line)}
        places = {"": first.place_of(""), "metadata": first.place_of("metadata.namespace")} if first.places else {}
        out.append(Resource("model", NAMESPACE_TYPE, f"namespace/{name}", first.path, first.line, values, locations,
                            end_line=first.end_line, root=root, places=places, facts=_partial(members)))
    return out


def _scales(scaler: Resource) -> list[tuple[str, str]]:
    """(kind, name) of the workloads something starts from zero replicas: a KEDA ScaledObject's target, an
    Argo Rollout's workloadRef (it runs that Deployment's pods), a HorizontalPodAutoscaler's target only with
    minReplicas 0 (with more, Kubernetes leaves a target at zero alone)."""
    spec = mapping(scaler.values.get("spec"))
    if scaler.type == "HorizontalPodAutoscaler" and spec.get("minReplicas") != 0:
        return []
    targets = [mapping(spec.get(field)) for field in ("scaleTargetRef", "workloadRef")]
    return [(str(t.get("kind") or "Deployment"), t["name"]) for t in targets if isinstance(t.get("name"), str)]


def _switched_off(workload: Resource, unit: tuple[str, str, str],
                  scaled: set[tuple[str, str, str, str, str]]) -> bool:
    """The workload runs no pod (`replicas: 0`), so none accepts traffic, unless something deployed with it
    (`unit`) starts it from zero (KEDA, an Argo Rollout's workloadRef)."""
    replicas = mapping(workload.values.get("spec")).get("replicas")
    zero = isinstance(replicas, int) and not isinstance(replicas, bool) and replicas == 0
    return zero and unit + (workload.type, workload.name) not in scaled


def _host_network(workload: Resource) -> bool:
    """Its pods use the node's network, which no NetworkPolicy governs (Kubernetes leaves it undefined): a
    default-deny policy cannot isolate them, and WL-001 judges the host network itself."""
    return any(OPERATORS["truthy"](m.value, None) for m in resolve(workload, "pod.hostNetwork"))   # as WL-001 reads it


def _deployed_first(workloads: list[Resource], demonstration: tuple[str, ...]) -> list[str]:
    """Their addresses, once each, those outside demonstration code first, each group by address: the message
    names three, and an archived example's name says little of what is deployed."""
    shown: dict[str, bool] = {}
    for workload in workloads:
        demo = in_demonstration(workload.path, demonstration)
        shown[workload.address] = shown.get(workload.address, True) and demo
    return sorted(shown, key=lambda address: (shown[address], address))


def _names_namespace(resource: Resource) -> bool:
    """The object says which namespace it goes to (metadata.namespace), rather than taking kubectl's."""
    return bool(mapping(resource.values.get("metadata")).get("namespace"))


def _partial(members: list[Resource]) -> dict[str, Any]:
    """A namespace with a workload from a build rendered in part is itself known only in part."""
    reasons = [m.facts[UNRENDERED_FACT] for m in members if UNRENDERED_FACT in m.facts]
    return {UNRENDERED_FACT: reasons[0]} if reasons else {}


def denies_ingress(values: dict[str, Any]) -> bool:
    """A NetworkPolicy that selects every pod and allows no ingress."""
    spec = mapping(values.get("spec"))
    selector = spec.get("podSelector")
    if selector not in ({}, None) and selector != {"matchLabels": {}}:
        return False
    types = spec.get("policyTypes") or (["Ingress"] if "ingress" not in spec else [])
    return "Ingress" in types and not spec.get("ingress")


def _ingress(values: dict[str, Any]) -> bool:
    """The NetworkPolicy governs ingress: policyTypes names Ingress, or is absent (Ingress is then implied)."""
    types = mapping(values.get("spec")).get("policyTypes")
    return not types or "Ingress" in types


def _selects_pods(selector: Any, labels: dict[str, Any]) -> bool:
    """A NetworkPolicy podSelector: empty (or absent) selects every pod of the namespace."""
    if selector in ({}, None) or selector == {"matchLabels": {}}:
        return True
    return selects(selector, labels)


def pod_labels(resource: Resource) -> dict[str, Any]:
    """The labels of the pods a workload runs (its pod template's, a Pod's own)."""
    pod_path = resource.pod_spec_path
    if not pod_path:
        return {}
    metadata: Any = resource.values
    for part in (pod_path.rsplit(".spec", 1)[0].split(".") if pod_path != "spec" else []) + ["metadata", "labels"]:
        metadata = metadata.get(part) if isinstance(metadata, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def selects(selector: Any, labels: dict[str, Any]) -> bool:
    """A label selector (matchLabels, matchExpressions) that names something and matches `labels`."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict) or (not match_labels and not selector.get("matchExpressions")):
        return False
    if any(str(labels.get(k)) != str(v) for k, v in match_labels.items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            return False
        key, op, values = str(expression.get("key")), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if (op == "In" and (not present or str(labels[key]) not in map(str, values))) or \
           (op == "NotIn" and present and str(labels[key]) in map(str, values)) or \
           (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True
