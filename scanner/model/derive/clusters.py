"""Kubernetes clusters built by Terraform, with their node pools, as the Haven Compliancy Checker sees them.

A cluster's nodes are often spread over separate node-pool resources that name their cluster by
reference (sometimes through a helper resource in between), or are written inline in the cluster block.
Per cloud, this module knows where a pool keeps its minimum size, its zones and its node image, and
turns them into the same facts: the least number of nodes each pool keeps, the zones it uses, the image
it runs. Predicates judge those facts (HAVEN-001, -003, -006, -009) and the Haven summary groups
findings per cluster with them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from scanner.model.functions.arguments import FunctionError
from scanner.model.functions.encoding import base64decode
from scanner.model.paths import item_keys, lookup, nameable
from scanner.model.resource import SEVERAL, Model, Resource, base_address
from scanner.model.values import Unknown
from scanner.registries.kubernetes import node_os

_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


@dataclass(frozen=True)
class ClusterKind:
    pools: dict[str, tuple[str, ...]]   # node-pool resource type -> its attributes that reference the cluster
    inline: str                         # the cluster's own pool block or list ("" when there is none)


# A self-managed EKS node group is an autoscaling group whose launch template (or configuration) bootstraps
# its instances into the cluster: its user data names the cluster (terraform-aws-eks's self-managed-node-group
# module). A template that only uses the cluster's security group launches no node of it (a web tier).
SELF_MANAGED_TEMPLATES = ("launch_template.id", "launch_template.name", "launch_configuration",
                     "mixed_instances_policy.launch_template.launch_template_specification.launch_template_id",
                     "mixed_instances_policy.launch_template.launch_template_specification.launch_template_name")
SELF_MANAGED_POOL = "aws_autoscaling_group"
BOOTSTRAP = "user_data"
CLUSTERS: dict[str, ClusterKind] = {
    "azurerm_kubernetes_cluster": ClusterKind({"azurerm_kubernetes_cluster_node_pool": ("kubernetes_cluster_id",)},
                                              "default_node_pool"),
    "aws_eks_cluster": ClusterKind({"aws_eks_node_group": ("cluster_name",), SELF_MANAGED_POOL: SELF_MANAGED_TEMPLATES}, ""),
    "google_container_cluster": ClusterKind({"google_container_node_pool": ("cluster",)}, "node_pool"),
    "stackit_ske_cluster": ClusterKind({}, "node_pools"),
    "ovh_cloud_project_kube": ClusterKind({"ovh_cloud_project_kube_nodepool": ("kube_id",)}, ""),
    "scaleway_k8s_cluster": ClusterKind({"scaleway_k8s_pool": ("cluster_id",)}, ""),
}
# the managed node-pool types, which rules judge on their own (HAVEN-009 judges a self-managed group with its
# cluster; HAVEN-006 judges it on its own, where self_managed_groups says it is one)
POOL_TYPES = {pool: cluster for cluster, kind in CLUSTERS.items() for pool in kind.pools if pool != SELF_MANAGED_POOL}


@dataclass(frozen=True)
class Pool:
    """One node pool: its values, the attribute prefix for locations, the resource that holds it."""
    values: dict[str, Any]
    prefix: str               # "default_node_pool" / "node_pools[1]" for inline pools, "" for resources
    resource: Resource        # the resource that holds it (the cluster, for inline pools)
    label: str
    min_nodes: Any            # the least number of nodes it keeps (int), or Unknown
    key: str = ""             # the prefix as a fingerprint names it (`node_pool[name=spot]`); "" when it is `prefix`

    def located(self, attr: str) -> str:
        """Path of a pool attribute from its resource, for lookups (`node_pool[1].node_config`)."""
        return f"{self.prefix}.{attr}" if self.prefix else attr

    def keyed(self, attr: str) -> str:
        """Path of a pool attribute as a fingerprint names it: an inline pool by its name where no other pool has it
        (`node_pool[name=spot].node_config`), so a pool inserted above leaves it."""
        prefix = self.key or self.prefix
        return f"{prefix}.{attr}" if prefix else attr


@dataclass(frozen=True)
class Cluster:
    resource: Resource
    pools: tuple[Pool, ...]
    extra_nodes: tuple[tuple[str, Any], ...] = ()    # GKE's default pool, when it stays: (label, count)
    addresses: frozenset[str] = field(default_factory=frozenset)   # the cluster and its pool resources
    # autoscaling groups whose launch template names the cluster but shows no node bootstrap: they may be
    # nodes of it (user data from a data source) or not (a web tier in its security group)
    maybe_pools: tuple[Resource, ...] = ()

    @property
    def inline_pools(self) -> list[Pool]:
        return [p for p in self.pools if p.resource is self.resource]

    @property
    def pools_counted(self) -> bool:
        """Every pool resource stands for a known number of pools (no count or for_each hides it)."""
        return not any(isinstance(p.resource.values.get(SEVERAL), Unknown) for p in self.pools)


def cluster_key(resource: Resource) -> tuple[str, str]:
    """Addresses repeat across root modules (examples/a and examples/b both have `aws_eks_cluster.this`)."""
    return resource.root, resource.address


def self_managed_groups(found: Iterable[Cluster]) -> dict[tuple[str, str], tuple[Cluster, bool]]:
    """(root, address) of each autoscaling group -> the cluster it is a self-managed node group of (True), or may
    be one of (False: a maybe-pool); a group that is one cluster's pool is that, whatever it may be of another."""
    out: dict[tuple[str, str], tuple[Cluster, bool]] = {}
    for cluster in found:
        for pool in cluster.pools:
            if pool.resource.type == SELF_MANAGED_POOL:
                out[cluster_key(pool.resource)] = (cluster, True)
        for group in cluster.maybe_pools:
            out.setdefault(cluster_key(group), (cluster, False))
    return out


def clusters(model: Model) -> dict[tuple[str, str], Cluster]:
    """(root, cluster address) -> the cluster with its pools, for every Terraform cluster."""
    out: dict[tuple[str, str], Cluster] = {}
    for cluster_type in CLUSTERS:
        for resource in model.by_type(cluster_type):
            if resource.kind != "terraform" or cluster_key(resource) in out:
                continue
            pools = tuple(_pools(resource, model))
            extra = tuple(_gke_default_pool(resource)) if cluster_type == "google_container_cluster" else ()
            addresses = frozenset({resource.address} | {p.resource.address for p in pools})
            out[cluster_key(resource)] = Cluster(resource, pools, extra, addresses,
                                                 tuple(_maybe_pools(resource, pools, model)))
    return out


def refers_to(resource: Resource, attr: str, target: str, model: Model, hops: int = 2) -> bool:
    """`attr` of resource references `target`, directly or through a helper resource in between
    (terraform-aws-eks passes the cluster name through a time_sleep resource)."""
    seen = resource.references.get(attr, frozenset())
    if target in seen:
        return True
    if hops == 0:
        return False
    for address in seen:
        for helper in model.at(address):
            if helper.type in CLUSTERS or helper.root != resource.root:
                continue
            if any(refers_to(helper, key, target, model, hops - 1) for key in helper.references):
                return True
    return False


def _pools(cluster: Resource, model: Model) -> list[Pool]:
    kind = CLUSTERS[cluster.type]
    count = _MINIMUM_NODES[cluster.type]
    pools = []
    for values, prefix, key, label in _inline(cluster, kind):
        pools.append(Pool(values, prefix, cluster, label, count(values, prefix, cluster, cluster), key))
    target = base_address(cluster.address)
    for pool in model.of_type(list(kind.pools)):
        if pool.kind == "terraform" and pool.root == cluster.root and _pool_of(pool, kind, target, model):
            several = pool.values.get(SEVERAL)     # how many such pools there are is not known
            pools.append(Pool(pool.values, "", pool, pool.address,
                              several if isinstance(several, Unknown) else count(pool.values, "", pool, cluster)))
    return pools


def _pool_of(pool: Resource, kind: ClusterKind, target: str, model: Model) -> bool:
    """The pool resource belongs to the cluster at `target`: it names the cluster, or (a self-managed group) its
    launch template's user data names it and bootstraps a node (or is not known statically)."""
    if pool.type != SELF_MANAGED_POOL:
        return any(refers_to(pool, via, target, model) for via in kind.pools[pool.type])
    return any(target in template.references.get(BOOTSTRAP, frozenset()) and _bootstraps(template) is not False
               for template in _templates(pool, model))


def _maybe_pools(cluster: Resource, pools: tuple[Pool, ...], model: Model) -> list[Resource]:
    """Autoscaling groups of the cluster's root whose launch template refers to the cluster some other way (its
    security group) and whose user data is not known statically (a data source's cloud-init may bootstrap a
    node). Known user data without a bootstrap, or none, joins no cluster."""
    if cluster.type != "aws_eks_cluster":
        return []
    target = base_address(cluster.address)
    joined = {id(pool.resource) for pool in pools}
    return [group for group in model.of_type([SELF_MANAGED_POOL])
            if group.kind == "terraform" and group.root == cluster.root and id(group) not in joined
            and any(_bootstraps(t) is None and any(refers_to(t, key, target, model, hops=1) for key in t.references)
                    for t in _templates(group, model))]


def _templates(group: Resource, model: Model) -> list[Resource]:
    addresses = {a for via in CLUSTERS["aws_eks_cluster"].pools[SELF_MANAGED_POOL] for a in group.references.get(via, ())}
    return [t for address in sorted(addresses) for t in model.at(address) if t.root == group.root]


def _bootstraps(template: Resource) -> bool | None:
    """Its user data joins a node to a cluster; None when the user data is not known statically."""
    value = template.values.get(BOOTSTRAP)
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return False
    try:   # as Terraform's base64decode reads it: a launch template's user data is base64, often wrapped
        decoded = base64decode(value) if value.strip() else ""
    except FunctionError:
        decoded = ""
    markers = node_os().clusters["aws_eks_cluster"].bootstrap_markers   # AL2, AL2023, Bottlerocket, Windows
    return any(marker in text for marker in markers for text in (value, decoded))


def _inline(cluster: Resource, kind: ClusterKind) -> list[tuple[dict[str, Any], str, str, str]]:
    """(values, prefix, key, label) of each pool written in the cluster block."""
    if not kind.inline:
        return []
    value = cluster.values.get(kind.inline)
    if not isinstance(value, list):
        return []
    keys = item_keys(nameable(cluster, kind.inline, value), ("name",))
    out = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            single = cluster.type == "azurerm_kubernetes_cluster"     # default_node_pool: one block
            prefix = kind.inline if single else f"{kind.inline}[{index}]"
            name = item.get("name")
            out.append((item, prefix, kind.inline if single else kind.inline + keys[index],
                        name if isinstance(name, str) else prefix))
    return out


# --- the least number of nodes a pool keeps: its minimum when it autoscales, else its fixed size -------

def number(value: Any, default: int | None = None) -> Any:
    if isinstance(value, Unknown):
        return value
    if value is None:
        return default if default is not None else Unknown("node count not set", kind="missing")
    if isinstance(value, float) and not value.is_integer():
        return Unknown(f"node count {value!r}", kind="expression")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return Unknown(f"node count {value!r}", kind="expression")


def truthy(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def first_value(resource: Resource, path: str) -> Any:
    matches = lookup(resource, path)
    return matches[0].value if matches else None


def _autoscaled(values: dict[str, Any], *flags: str) -> Any:
    for flag in flags:
        if flag in values:
            return truthy(values[flag])
    return False


def _aks_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    auto = _autoscaled(values, "auto_scaling_enabled", "enable_auto_scaling")
    if isinstance(auto, Unknown):
        return auto
    return number(values.get("min_count") if auto else values.get("node_count"), None if auto else 1)


def _eks_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    if holder.type == SELF_MANAGED_POOL:
        return number(values.get("min_size"))
    return number(first_value(holder, "scaling_config.min_size"))


def gke_zone_count(values: dict[str, Any], cluster: Resource) -> Any:
    for locations in (values.get("node_locations"), cluster.values.get("node_locations")):
        if isinstance(locations, Unknown):
            return locations
        if isinstance(locations, list) and locations:
            return len(locations)
    location = cluster.values.get("location")
    if isinstance(location, Unknown):
        return location
    if not location:
        return Unknown("location not set", kind="missing")
    return 3 if is_gke_region(location) else 1   # regional: three zones


def is_gke_region(location: Any) -> bool:
    return isinstance(location, str) and bool(_GCP_REGION.match(location))


def _gke_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    scaling = values.get("autoscaling")
    scaling = scaling[0] if isinstance(scaling, list) and scaling else None
    if isinstance(scaling, dict) and scaling.get("total_min_node_count") is not None:
        return number(scaling["total_min_node_count"])
    zones = gke_zone_count(values, cluster)
    if isinstance(zones, Unknown):
        return zones
    if isinstance(scaling, dict):
        per_zone = number(scaling.get("min_node_count"), 0)
    else:
        per_zone = number(values.get("node_count", values.get("initial_node_count")), 1)
    return per_zone if isinstance(per_zone, Unknown) else per_zone * zones


def gke_keeps_default_pool(cluster: Resource) -> Any:
    """GKE's default pool exists unless removed or replaced by inline pools: True, False, or Unknown."""
    removed = truthy(cluster.values.get("remove_default_node_pool"))
    if isinstance(removed, Unknown):
        return removed
    return not removed and not cluster.values.get("node_pool")


def _gke_default_pool(cluster: Resource) -> list[tuple[str, Any]]:
    """GKE's default pool, when it stays, with the nodes it keeps."""
    values = cluster.values
    kept = gke_keeps_default_pool(cluster)
    if isinstance(kept, Unknown):
        return [("default pool", kept)]
    if not kept:
        return []
    zones = gke_zone_count({}, cluster)
    count = number(values.get("initial_node_count"), 1)
    for value in (zones, count):
        if isinstance(value, Unknown):
            return [("default pool", value)]
    return [("default pool", count * zones)]


def _ske_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    return number(values.get("minimum"))


def _ovh_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    auto = _autoscaled(values, "autoscale")
    if isinstance(auto, Unknown):
        return auto
    if auto:
        return number(values.get("min_nodes"), 0)
    return number(values.get("desired_nodes"))


def _scaleway_count(values: dict[str, Any], prefix: str, holder: Resource, cluster: Resource) -> Any:
    auto = _autoscaled(values, "autoscaling")
    if isinstance(auto, Unknown):
        return auto
    size = number(values.get("size"))
    if not auto:
        return size
    default = 1 if isinstance(size, int) and size > 0 else 0
    return number(values.get("min_size"), default)


_MINIMUM_NODES: dict[str, Callable[[dict[str, Any], str, Resource, Resource], Any]] = {
    "azurerm_kubernetes_cluster": _aks_count,
    "aws_eks_cluster": _eks_count,
    "google_container_cluster": _gke_count,
    "stackit_ske_cluster": _ske_count,
    "ovh_cloud_project_kube": _ovh_count,
    "scaleway_k8s_cluster": _scaleway_count,
}
