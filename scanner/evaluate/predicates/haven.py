"""Haven predicates: the static pre-flight of the Haven Compliancy Checker (HCC), and its live results.

The HCC judges a running cluster; these predicates judge the Terraform that builds one. A cluster's
nodes are often spread over separate node-pool resources that name their cluster by reference, so most
cluster checks gather the cluster with its pools first (`cluster_pools`) and judge them together, the way
HCC sees the nodes. Add-ons (cert-manager, log shippers, metrics-server, RWX storage) count when the
scanned code installs them anywhere: a Helm release, an EKS add-on, or Kubernetes manifests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import yaml

from scanner.evaluate.context import Context, base_address
from scanner.evaluate.operators import OPERATORS
from scanner.evaluate.paths import Match, lookup
from scanner.evaluate.registries import registry
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.resource import Model, Resource
from scanner.model.values import Unknown

# --- registries (data: policies/registries/*.yaml) ----------------------------------------------


# --- live results (kind haven, type hcc_check) ----------------------------------------------------


def hcc_passed(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """An HCC check reported YES; NO is a violation; SKIPPED and UNKNOWN cannot be judged."""
    values = resource.values
    result, version = values.get("result"), values.get("version") or "HCC"
    named = f'"{values.get("label") or values.get("name")}" ({values.get("name")}): ' if args.get("with_label") else ""
    if result == "YES":
        return PASS
    if result == "NO":
        return fail("result", f"{named}{version} reported NO", "result")
    why = "skipped it (not opted in, or not applicable)" if result == "SKIPPED" else "could not decide it"
    return unknown(f"{named}the live outcome ({version} {why})", "result")


# --- clusters and their node pools ----------------------------------------------------------------


@dataclass(frozen=True)
class ClusterKind:
    pools: tuple[str, ...]   # node-pool resource types that point at the cluster
    via: str                 # the attribute of the pool that references the cluster
    inline: str              # the cluster's own pool block or list ("" when there is none)


CLUSTERS: dict[str, ClusterKind] = {
    "azurerm_kubernetes_cluster": ClusterKind(("azurerm_kubernetes_cluster_node_pool",), "kubernetes_cluster_id",
                                              "default_node_pool"),
    "aws_eks_cluster": ClusterKind(("aws_eks_node_group",), "cluster_name", ""),
    "google_container_cluster": ClusterKind(("google_container_node_pool",), "cluster", "node_pool"),
    "stackit_ske_cluster": ClusterKind((), "", "node_pools"),
    "ovh_cloud_project_kube": ClusterKind(("ovh_cloud_project_kube_nodepool",), "kube_id", ""),
    "scaleway_k8s_cluster": ClusterKind(("scaleway_k8s_pool",), "cluster_id", ""),
}
POOL_TYPES = {pool: cluster for cluster, kind in CLUSTERS.items() for pool in kind.pools}


@dataclass(frozen=True)
class Pool:
    """One node pool as the checks see it: its values, the attribute prefix for locations, its owner."""
    values: dict
    prefix: str               # "default_node_pool" / "node_pools[1]" for inline pools, "" for resources
    resource: Resource        # the resource that holds it (cluster for inline pools)
    label: str


def _refers_to(resource: Resource, attr: str, target: str, ctx: Context, hops: int = 2) -> bool:
    """`attr` of resource references `target`, directly or through a helper resource in between
    (terraform-aws-eks passes the cluster name through a time_sleep resource)."""
    seen = resource.references.get(attr, frozenset())
    if target in seen:
        return True
    if hops == 0:
        return False
    for address in seen:
        for helper in ctx.at(address):
            if helper.type in CLUSTERS:
                continue
            if any(_refers_to(helper, key, target, ctx, hops - 1) for key in helper.references):
                return True
    return False


def cluster_pools(cluster: Resource, ctx: Context) -> list[Pool]:
    """The cluster's inline pools plus the pool resources that reference it."""
    kind = CLUSTERS.get(cluster.type)
    if kind is None:
        return []
    pools = _inline_pools(cluster, kind)
    target = base_address(cluster.address)
    for pool in ctx.of_type(list(kind.pools)):
        if pool.kind == "terraform" and _refers_to(pool, kind.via, target, ctx):
            pools.append(Pool(pool.values, "", pool, pool.address))
    return pools


def _inline_pools(cluster: Resource, kind: ClusterKind) -> list[Pool]:
    if not kind.inline:
        return []
    value = cluster.values.get(kind.inline)
    if not isinstance(value, list):
        return []
    pools = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            prefix = kind.inline if cluster.type == "azurerm_kubernetes_cluster" else f"{kind.inline}[{index}]"
            name = item.get("name") if isinstance(item.get("name"), str) else prefix
            pools.append(Pool(item, prefix, cluster, name))
    return pools


def owner_cluster(pool: Resource, ctx: Context) -> Resource | None:
    """The cluster a node-pool resource belongs to, when it is in the scanned code."""
    cluster_type = POOL_TYPES.get(pool.type)
    if cluster_type is None:
        return None
    via = CLUSTERS[cluster_type].via
    for cluster in ctx.of_type([cluster_type]):
        if cluster.kind == "terraform" and _refers_to(pool, via, base_address(cluster.address), ctx):
            return cluster
    return None


def _located(pool: Pool, attr: str) -> str:
    """Path of a pool attribute from its resource, for lookups (`node_pool[1].node_config`)."""
    return f"{pool.prefix}.{attr}" if pool.prefix else attr


def _where(path: str) -> str:
    """The same path for the location table, which has no list indices (`node_pool.node_config`)."""
    return re.sub(r"\[\d+\]", "", path)


def _no_pools(cluster: Resource) -> Verdict:
    return unknown("which node pools it has (none are in the scanned code)")


# --- multiple availability zones (HCC multiaz) -----------------------------------------------------

_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


@dataclass
class _Zones:
    """Zones seen over a cluster's pools; Unknown values block a verdict only when what is known fails."""
    zones: set
    blocker: str = ""
    regional: bool = False    # GKE regional default: every zone of the region

    def add(self, values: Any) -> None:
        if isinstance(values, Unknown):
            self.blocker = self.blocker or values.reason
            return
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Unknown):
                self.blocker = self.blocker or value.reason
            elif value not in (None, ""):
                self.zones.add(str(value))

    def verdict(self, minimum: int, path: str, what: str) -> Verdict:
        if self.regional or len(self.zones) >= minimum:
            return PASS
        if self.blocker:
            return unknown(self.blocker, path)
        shown = ", ".join(sorted(self.zones)) or "no zone set"
        return fail(path, f"{what} ({shown})")


def cluster_zones(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The cluster's nodes (all pools together, as HCC counts them) span at least `min` zones."""
    minimum = int(args.get("min", 2))
    judge = _ZONE_JUDGES.get(resource.type)
    return judge(resource, ctx, minimum) if judge else PASS


def _aks_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones(set())
    for pool in cluster_pools(cluster, ctx):
        seen.add(pool.values.get("zones", pool.values.get("availability_zones")))
    return seen.verdict(minimum, "default_node_pool.zones", "every node pool runs in one zone")


def _gke_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    location = cluster.values.get("location")
    if isinstance(location, Unknown):
        return unknown(location.reason, "location")
    if not location:
        return unknown("its location (not set)", "location")
    default = cluster.values.get("node_locations")
    regional = isinstance(location, str) and bool(_GCP_REGION.match(location))
    seen = _Zones(set())
    for pool in cluster_pools(cluster, ctx) or [None]:
        own = pool.values.get("node_locations") if pool else None
        chosen = own if own not in (None, []) else default
        if chosen in (None, []):
            if regional:
                seen.regional = True
            else:
                seen.add(location)
        else:
            seen.add(chosen)
    return seen.verdict(minimum, "location", "the cluster and its node pools use one zone")


def _eks_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    pools = cluster_pools(cluster, ctx)
    seen = _Zones(set())
    auto_mode = _truthy(lookup_first(cluster, "compute_config.enabled"))
    if isinstance(auto_mode, Unknown):
        return unknown(auto_mode.reason, "compute_config")
    if auto_mode:   # EKS Auto Mode: the nodes go into the cluster's subnets
        _subnet_zones(cluster, "vpc_config.subnet_ids", ctx, seen)
    elif not pools:
        return _no_pools(cluster)
    for pool in pools:
        _subnet_zones(pool.resource, "subnet_ids", ctx, seen)
    return seen.verdict(minimum, "vpc_config", "the node groups' subnets lie in one availability zone")


def _subnet_zones(resource: Resource, path: str, ctx: Context, seen: _Zones) -> None:
    """Availability zones of the subnets at `path`; a literal subnet id stands for itself (AZ unknown)."""
    for match in lookup(resource, path):
        values = match.value if isinstance(match.value, list) else [match.value]
        for value in values:
            if isinstance(value, Unknown) and value.refers_to:
                subnets = ctx.at(base_address(value.refers_to))
                zones = [s.values.get("availability_zone", s.values.get("availability_zone_id")) for s in subnets]
                if not zones:
                    seen.add(value)
                for zone in zones:
                    seen.add(zone if zone is not None else Unknown(f"availability_zone of {value.refers_to}"))
            else:
                seen.add(value)


def _ske_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones(set())
    for pool in cluster_pools(cluster, ctx):
        seen.add(pool.values.get("availability_zones"))
    return seen.verdict(minimum, "node_pools", "every node pool uses the same availability zone")


def _ovh_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones(set())
    for pool in cluster_pools(cluster, ctx):
        seen.add(pool.values.get("availability_zones"))
    if len(seen.zones) >= minimum:
        return PASS
    region = cluster.values.get("region")
    if isinstance(region, Unknown):
        return unknown(region.reason, "region")
    known = ctx.regions.lookup("ovh", region) if isinstance(region, str) else None
    if known is not None and known.zones >= minimum:
        return seen.verdict(minimum, "region", "the node pools use one availability zone")
    return fail("region", f"region {region} has a single availability zone")


def _scaleway_zones(cluster: Resource, ctx: Context, minimum: int) -> Verdict:
    pools = cluster_pools(cluster, ctx)
    if not pools:
        return _no_pools(cluster)
    seen = _Zones(set())
    for pool in pools:
        zone = pool.values.get("zone")
        seen.add(zone if zone is not None else pool.resource.provider_values.get("zone") or "the provider's zone")
    return seen.verdict(minimum, "", "every node pool runs in one zone")


_ZONE_JUDGES = {
    "azurerm_kubernetes_cluster": _aks_zones,
    "google_container_cluster": _gke_zones,
    "aws_eks_cluster": _eks_zones,
    "stackit_ske_cluster": _ske_zones,
    "ovh_cloud_project_kube": _ovh_zones,
    "scaleway_k8s_cluster": _scaleway_zones,
}


# --- private networking (HCC privatenetworking) -------------------------------------------------------


def nodes_private(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """EKS node group: its subnets do not hand out public IPs and its launch template asks for none."""
    verdict = _launch_template_private(resource, ctx)
    if verdict.state is False:
        return verdict
    blocker = verdict if verdict.state is None else None
    for match in lookup(resource, "subnet_ids"):
        for value in match.value if isinstance(match.value, list) else [match.value]:
            found = _subnet_public(value, ctx)
            if found.state is False:
                return found
            blocker = blocker or (found if found.state is None else None)
    return blocker or PASS


def _subnet_public(value: Any, ctx: Context) -> Verdict:
    if not isinstance(value, Unknown):
        return unknown(f"subnet {value} (not in the scanned code)", "subnet_ids")
    if not value.refers_to:
        return unknown(value.reason, "subnet_ids")
    subnets = [s for s in ctx.at(base_address(value.refers_to)) if s.type == "aws_subnet"]
    if not subnets:
        return unknown(value.reason, "subnet_ids")
    for subnet in subnets:
        public = _truthy(subnet.values.get("map_public_ip_on_launch"))
        if isinstance(public, Unknown):
            return unknown(public.reason, "subnet_ids")
        if public:
            return fail("subnet_ids", f"subnet {subnet.address} sets map_public_ip_on_launch, so nodes get public IPs")
    return PASS


def _launch_template_private(resource: Resource, ctx: Context) -> Verdict:
    for match in lookup(resource, "launch_template.id") + lookup(resource, "launch_template.name"):
        value = match.value
        if not isinstance(value, Unknown) or not value.refers_to:
            continue
        for template in ctx.at(base_address(value.refers_to)):
            for flag in lookup(template, "network_interfaces.associate_public_ip_address"):
                public = _truthy(flag.value)
                if isinstance(public, Unknown):
                    return unknown(public.reason, "launch_template")
                if public:
                    return fail("launch_template", f"launch template {template.address} sets "
                                                   "associate_public_ip_address, so nodes get public IPs")
    return PASS


# --- at least N worker nodes (HCC haworkers) ---------------------------------------------------------


def worker_minimum(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The node pools together keep at least `min` nodes (their minimum size when they autoscale)."""
    minimum = int(args.get("min", 3))
    counter = _WORKER_COUNTS.get(resource.type)
    if counter is None:
        return PASS
    pools = cluster_pools(resource, ctx)
    extra = _gke_default_pool(resource) if resource.type == "google_container_cluster" else []
    if not pools and not extra:
        return _no_pools(resource)
    total, parts, blocker = 0, [], ""
    for label, count in extra + [(p.label, counter(p, resource)) for p in pools]:
        if isinstance(count, Unknown):
            blocker = blocker or count.reason
            continue
        total += count
        parts.append(f"{label}: {count}")
    path = _count_path(resource, pools)
    if total >= minimum:
        return PASS
    if blocker:
        return unknown(blocker, path)
    return fail(path, f"the node pools keep at least {total} nodes ({'; '.join(parts)}), {minimum} needed")


def _count_path(cluster: Resource, pools: list[Pool]) -> str:
    inline = [p for p in pools if p.resource is cluster]
    if not inline:
        return ""
    pool = inline[0]
    for attr in ("min_count", "node_count", "minimum", "autoscaling", "initial_node_count"):
        if attr in pool.values:
            return _where(_located(pool, attr))
    return _where(pool.prefix)


def _number(value: Any, default: int | None = None) -> Any:
    if isinstance(value, Unknown):
        return value
    if value is None:
        return default if default is not None else Unknown("node count not set")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):    # OverflowError: inf (1e308 * 10)
        return Unknown(f"node count {value!r}")


def _truthy(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def lookup_first(resource: Resource, path: str) -> Any:
    matches = lookup(resource, path)
    return matches[0].value if matches else None


def _autoscaled(values: dict, *flags: str) -> Any:
    for flag in flags:
        if flag in values:
            return _truthy(values[flag])
    return False


def _aks_count(pool: Pool, cluster: Resource) -> Any:
    auto = _autoscaled(pool.values, "auto_scaling_enabled", "enable_auto_scaling")
    if isinstance(auto, Unknown):
        return auto
    return _number(pool.values.get("min_count") if auto else pool.values.get("node_count"), None if auto else 1)


def _eks_count(pool: Pool, cluster: Resource) -> Any:
    matches = lookup(pool.resource, "scaling_config.min_size")
    return _number(matches[0].value if matches else None)


def _gke_zone_count(values: dict, cluster: Resource) -> Any:
    for locations in (values.get("node_locations"), cluster.values.get("node_locations")):
        if isinstance(locations, Unknown):
            return locations
        if isinstance(locations, list) and locations:
            return len(locations)
    location = cluster.values.get("location")
    if isinstance(location, Unknown):
        return location
    if not location:
        return Unknown("location not set")
    return 3 if isinstance(location, str) and _GCP_REGION.match(location) else 1   # regional: three zones


def _gke_count(pool: Pool, cluster: Resource) -> Any:
    values = pool.values
    scaling = values.get("autoscaling")
    scaling = scaling[0] if isinstance(scaling, list) and scaling else None
    if isinstance(scaling, dict) and scaling.get("total_min_node_count") is not None:
        return _number(scaling["total_min_node_count"])
    zones = _gke_zone_count(values, cluster)
    if isinstance(zones, Unknown):
        return zones
    if isinstance(scaling, dict):
        per_zone = _number(scaling.get("min_node_count"), 0)
    else:
        per_zone = _number(values.get("node_count", values.get("initial_node_count")), 1)
    return per_zone if isinstance(per_zone, Unknown) else per_zone * zones


def _gke_default_pool(cluster: Resource) -> list[tuple[str, Any]]:
    """GKE's default pool exists unless removed, and counts only when no inline pool replaces it."""
    values = cluster.values
    removed = _truthy(values.get("remove_default_node_pool"))
    if isinstance(removed, Unknown):
        return [("default pool", removed)]
    if removed or values.get("node_pool"):
        return []
    zones = _gke_zone_count({}, cluster)
    count = _number(values.get("initial_node_count"), 1)
    for value in (zones, count):
        if isinstance(value, Unknown):
            return [("default pool", value)]
    return [("default pool", count * zones)]


def _ske_count(pool: Pool, cluster: Resource) -> Any:
    return _number(pool.values.get("minimum"))


def _ovh_count(pool: Pool, cluster: Resource) -> Any:
    auto = _autoscaled(pool.values, "autoscale")
    if isinstance(auto, Unknown):
        return auto
    if auto:
        return _number(pool.values.get("min_nodes"), 0)
    return _number(pool.values.get("desired_nodes"))


def _scaleway_count(pool: Pool, cluster: Resource) -> Any:
    auto = _autoscaled(pool.values, "autoscaling")
    if isinstance(auto, Unknown):
        return auto
    size = _number(pool.values.get("size"))
    if not auto:
        return size
    default = 1 if isinstance(size, int) and size > 0 else 0
    return _number(pool.values.get("min_size"), default)


_WORKER_COUNTS = {
    "azurerm_kubernetes_cluster": _aks_count,
    "aws_eks_cluster": _eks_count,
    "google_container_cluster": _gke_count,
    "stackit_ske_cluster": _ske_count,
    "ovh_cloud_project_kube": _ovh_count,
    "scaleway_k8s_cluster": _scaleway_count,
}


# --- hardened node OS (HCC nodehardening) -----------------------------------------------------------

HARDENED = ("apparmor", "selinux", "grsecurity", "lkrg", "talos", "flatcar")


def node_os_hardened(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """Every node pool runs an image the node-OS registry lists with an LSM or hardened OS HCC accepts.
    A cluster answers for its inline pools; a pool resource answers for itself, so a finding points at it."""
    data = registry("node-os.yaml")
    tables = data.get("clusters") or {}
    if resource.type in POOL_TYPES:
        table = tables.get(POOL_TYPES[resource.type])
        return _pool_os(Pool(resource.values, "", resource, resource.address), table, data) if table else PASS
    table = tables.get(resource.type)
    if table is None:
        return PASS
    if resource.type == "aws_eks_cluster" and _truthy(lookup_first(resource, "compute_config.enabled")) is True:
        return PASS if table.get("auto_mode") in HARDENED else unknown("the EKS Auto Mode node image")
    pools = cluster_pools(resource, ctx)
    if resource.type == "google_container_cluster" and not resource.values.get("node_pool"):
        pools = pools + [Pool(resource.values, "", resource, "default pool")]
    if not pools:
        return _no_pools(resource)
    blocker = None
    for pool in (p for p in pools if p.resource is resource):
        verdict = _pool_os(pool, table, data)
        if verdict.state is False:
            return verdict
        if verdict.state is None and blocker is None:
            blocker = verdict
    return blocker or PASS


def _pool_os(pool: Pool, table: dict, data: dict) -> Verdict:
    values = pool.values
    for flag, windows in (table.get("windows_when") or {}).items():
        if str(values.get(flag, "")).lower() == str(windows).lower():
            return fail(_where(_located(pool, flag)), f"{pool.label} runs Windows nodes, which have none of them")
    attribute = _located(pool, table["attribute"])
    matches = lookup(pool.resource, attribute)
    value = matches[0].value if matches else None
    if isinstance(value, Unknown):
        return unknown(value.reason, _where(attribute))
    image = str(value) if value not in (None, "") else str(table.get("default", ""))
    lsm = _image_lsm(table, image)
    path = _where(attribute if matches else pool.prefix)
    if lsm in HARDENED:
        return PASS
    if lsm == "none":
        return fail(path, f"{pool.label} runs {image}, which has none of them")
    return unknown(f"whether {image} nodes run an LSM HCC accepts (node-os registry, as of {data.get('as_of')})", path)


def _image_lsm(table: dict, image: str) -> str:
    images = {str(k).lower(): str(v).lower() for k, v in (table.get("images") or {}).items()}
    if image.lower() in images:
        return images[image.lower()]
    for prefix, lsm in (table.get("prefixes") or {}).items():
        if image.lower().startswith(str(prefix).lower()):
            return str(lsm).lower()
    return "unknown"


# --- Kubernetes version (HCC kubernetesversion) -------------------------------------------------------

_MINOR = re.compile(r"^v?(\d{1,9})\.(\d{1,9})(?!\d)")     # bounded: int() refuses 4,300+ digits


def k8s_version_recent(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The pinned version is the latest stable minor or at most `max_minors_behind` behind (dated table).
    No version set: the provider installs a current default, so the check passes."""
    table = registry("kubernetes-versions.yaml")
    latest = _MINOR.match(str(table["latest_stable"]))
    behind = int(table.get("max_minors_behind", 3))
    for path in args.get("paths", ["version"]):
        matches = lookup(resource, path, base)
        if not matches or matches[0].value in (None, ""):
            continue
        value = matches[0].value
        if isinstance(value, Unknown):
            return unknown(value.reason, path)
        seen = _MINOR.match(str(value))
        if not seen or latest is None:
            return unknown(f"Kubernetes version {value!r}", path)
        major, minor = int(seen.group(1)), int(seen.group(2))
        lowest = int(latest.group(2)) - behind
        if major > int(latest.group(1)) or (major == int(latest.group(1)) and minor >= lowest):
            return PASS
        return fail(path, f"{value} is more than {behind} minor versions behind {table['latest_stable']}, the latest "
                          f"stable release as of {table.get('as_of')}")
    return PASS


# --- add-ons found anywhere in the scan (HCC autocerts, logs, metrics, rwxvolumes) -------------------

_WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")


def addon_present(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The scanned code installs the add-on: a helm_release chart, an EKS add-on, a Kubernetes object of
    a given kind, a StorageClass provisioner, or a workload whose name or image matches."""
    if not any(args.get(k) for k in ("charts", "eks_addons", "kinds", "provisioners", "workloads")):
        return PASS   # nothing to look for
    checks = (_eks_addon(args, ctx), _kinds(args, ctx), _provisioners(args, ctx), _workloads(args, ctx))
    if any(found for found in checks):
        return PASS
    found, blocker = _helm(args, ctx)
    if found:
        return PASS
    if blocker:
        return unknown(blocker)
    if not _manages_addons(ctx):
        # absence only counts where add-ons are managed: a cluster module or a cluster-only repository
        # leaves them to another repository (GitOps), which this scan cannot see
        return unknown("its add-ons (the scanned code manages none: no Helm release, EKS add-on or add-on manifest)")
    return fail("", f"no {args.get('what', 'such add-on')} found in the scanned Terraform or manifests")


ADDON_CARRIERS = ("helm_release", "kubernetes_manifest", "kubectl_manifest", "aws_eks_addon", "HelmRelease",
                  "Application", "DaemonSet")


def _manages_addons(ctx: Context) -> bool:
    return bool(ctx.of_type(list(ADDON_CARRIERS)))


def _matches_any(value: Any, patterns: Iterable[str]) -> bool:
    return isinstance(value, str) and any(re.search(p, value, re.IGNORECASE) for p in patterns)


def _helm(args: dict, ctx: Context) -> tuple[bool, str]:
    """(found, blocker): a helm_release whose chart is not known statically may be the add-on."""
    charts = args.get("charts") or []
    if not charts:
        return False, ""
    blocker = ""
    for release in ctx.of_type(["helm_release"]):
        chart = release.values.get("chart")
        if isinstance(chart, Unknown):
            blocker = blocker or f"the chart of {release.address} ({chart.reason})"
        elif _matches_any(chart, [f"(^|/){c}$" for c in charts]):
            return True, ""
    for release in ctx.of_type(["HelmRelease"]):   # Flux
        chart = lookup(release, "spec.chart.spec.chart")
        if chart and _matches_any(chart[0].value, [f"^{c}$" for c in charts]):
            return True, ""
    return False, blocker


def _eks_addon(args: dict, ctx: Context) -> bool:
    names = [n.lower() for n in args.get("eks_addons") or []]
    return bool(names) and any(str(a.values.get("addon_name", "")).lower() in names
                               for a in ctx.of_type(["aws_eks_addon"]))


def _kinds(args: dict, ctx: Context) -> bool:
    kinds = args.get("kinds") or []
    if not kinds:
        return False
    if any(r.kind == "kubernetes" for r in ctx.of_type(kinds)):
        return True
    for manifest in ctx.of_type(["kubernetes_manifest"]):
        kind = lookup(manifest, "manifest.kind")
        if kind and kind[0].value in kinds:
            return True
    return False


def _provisioners(args: dict, ctx: Context) -> bool:
    wanted = args.get("provisioners") or []
    if not wanted:
        return False
    for storage_class in ctx.of_type(["StorageClass", "kubernetes_storage_class", "kubernetes_storage_class_v1"]):
        provisioner = storage_class.values.get("provisioner") or lookup_first(storage_class, "storage_provisioner")
        if _matches_any(provisioner, wanted):
            return True
    return False


def _workloads(args: dict, ctx: Context) -> bool:
    patterns = args.get("workloads") or []
    if not patterns:
        return False
    for workload in ctx.of_type(list(_WORKLOAD_KINDS)):
        if workload.kind != "kubernetes":
            continue
        if _matches_any(workload.name, patterns):
            return True
        for match in lookup(workload, "pod.containers[*].image"):
            if _matches_any(str(match.value).rsplit("/", 1)[-1], patterns):
                return True
    return False


# --- NetworkPolicy enforcement on EKS (Haven standard: the network layer supports NetworkPolicies) ----

VPC_CNI = "vpc-cni"
AUTO_MODE_CNI_CONFIG = "amazon-vpc-cni"   # kube-system ConfigMap that turns the policy controller on


def eks_network_policy(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """EKS enforces NetworkPolicies only when the VPC CNI add-on runs its policy agent (configuration_values
    enableNetworkPolicy "true"), the amazon-vpc-cni ConfigMap turns the controller on (Auto Mode), or a
    policy-capable CNI (`charts`/`workloads`, as in addon_present) is installed. Like the other add-on
    checks, a scan that manages no add-ons at all cannot tell (the CNI may be set up from elsewhere)."""
    blocker = ""
    for addon in ctx.of_type(["aws_eks_addon"]):
        name = addon.values.get("addon_name")
        if isinstance(name, Unknown):
            blocker = blocker or f"the addon_name of {addon.address} ({name.reason})"
            continue
        if str(name).lower() != VPC_CNI:
            continue
        enabled = _cni_policy_enabled(addon.values.get("configuration_values"))
        if enabled is True:
            return PASS
        if isinstance(enabled, Unknown):
            blocker = blocker or f"the configuration_values of {addon.address} ({enabled.reason})"
    if _policy_controller_configured(ctx):
        return PASS
    verdict = addon_present(resource, args, ctx, base)
    if verdict.state is False and blocker:
        return unknown(blocker)
    return verdict


def _cni_policy_enabled(config: Any) -> Any:
    """True, False or Unknown: the add-on configuration (JSON or YAML text) sets enableNetworkPolicy."""
    if isinstance(config, Unknown):
        return config
    if isinstance(config, str):
        try:
            config = yaml.safe_load(config)
        except (yaml.YAMLError, ValueError, RecursionError):    # 5,000-digit ints, 2024-02-30, deep nesting
            return Unknown("configuration_values that do not parse")
    if not isinstance(config, dict):
        return False
    flag = config.get("enableNetworkPolicy")
    return flag if isinstance(flag, Unknown) else _truthy(flag) is True


def _policy_controller_configured(ctx: Context) -> bool:
    for config_map in ctx.of_type(["ConfigMap", "kubernetes_config_map", "kubernetes_config_map_v1"]):
        if lookup_first(config_map, "metadata.name") != AUTO_MODE_CNI_CONFIG:
            continue
        data = config_map.values.get("data")
        if isinstance(data, dict) and _truthy(data.get("enable-network-policy-controller")) is True:
            return True
    return False


# --- workloads (Kubernetes manifests) ----------------------------------------------------------------

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


def namespace_of(resource: Resource) -> str:
    metadata = resource.values.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return namespace if isinstance(namespace, str) and namespace else "default"


def effective(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """A container setting that falls back to the pod's (securityContext.runAsNonRoot, seccompProfile...):
    the container's own value when set, else the pod-level value; then `op`/`value` as in a leaf."""
    path, op = args["path"], args.get("op", "truthy")
    own = [m for m in lookup(resource, path, base) if m.value is not None]
    pod = [m for m in lookup(resource, f"pod.{path}") if m.value is not None] if base is not None else []
    chosen = own or pod
    if not chosen:
        return fail(path, f"{path} is not set on the container or the pod")
    value = chosen[0].value
    if isinstance(value, Unknown):
        return unknown(value.reason, path)
    where = path if own else f"pod {path}"
    if OPERATORS[op](value, args.get("value")):
        return Verdict(True, path, path, f"{where} is {value}")   # the path lets `not` point at it
    return fail(path, f"{where} is {value}")


def environment(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The configured environment (prod/nonprod) is one of `in`: policies that apply only to production."""
    wanted = args.get("in", ["prod"])
    return PASS if ctx.config.environment in wanted else fail("", f"environment is {ctx.config.environment}")


def first_workload_in_namespace(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """This workload is the first (by file and line) of its namespace: one finding per namespace."""
    namespace = namespace_of(resource)
    if namespace in SYSTEM_NAMESPACES:
        return fail("", "system namespace")
    kinds = tuple(args.get("kinds") or [])
    key = ("haven.first_in_namespace", kinds, namespace)
    if key not in ctx.memo:   # computed once per namespace
        same = [r for r in ctx.of_type(list(kinds)) if r.kind == "kubernetes" and namespace_of(r) == namespace]
        ctx.memo[key] = min(same + [resource], key=lambda r: (r.path, r.line, r.address))
    first = ctx.memo[key]
    return PASS if first is resource else fail("", "not the first workload of its namespace")


def default_deny_policy(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The resource's namespace has a NetworkPolicy that selects every pod and allows no ingress."""
    if resource.kind != "kubernetes":
        return PASS
    namespace = namespace_of(resource)
    for policy in ctx.of_type(["NetworkPolicy"]):
        if policy.kind == "kubernetes" and namespace_of(policy) == namespace and _denies_ingress(policy.values):
            return PASS
    return fail("", f"namespace {namespace} has no default-deny NetworkPolicy")


def _denies_ingress(values: dict) -> bool:
    spec = values.get("spec") if isinstance(values.get("spec"), dict) else {}
    selector = spec.get("podSelector")
    if selector not in ({}, None) and selector != {"matchLabels": {}}:
        return False
    types = spec.get("policyTypes") or (["Ingress"] if "ingress" not in spec else [])
    return "Ingress" in types and not spec.get("ingress")


def _labels(resource: Resource) -> dict:
    pod_path = resource.pod_spec_path
    if not pod_path:
        return {}
    template = pod_path.rsplit(".spec", 1)[0] if pod_path != "spec" else ""
    matches = lookup(resource, f"{template}.metadata.labels" if template else "metadata.labels")
    return matches[0].value if matches and isinstance(matches[0].value, dict) else {}


APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def apparmor_annotations(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """No legacy AppArmor annotation of the pod (container.apparmor.security.beta.kubernetes.io/<container>)
    asks for a profile outside the PSS baseline's runtime/default and localhost/<profile>: in practice,
    unconfined. The annotation sits in the pod metadata, which `pod.` paths (the pod spec) do not reach."""
    path = _pod_metadata_path(resource)
    if path is None:
        return PASS
    annotations = lookup_first(resource, f"{path}.annotations")
    if isinstance(annotations, Unknown):
        return unknown(annotations.reason, f"{path}.annotations")
    if not isinstance(annotations, dict):
        return PASS
    for key, value in annotations.items():
        if not str(key).startswith(APPARMOR_ANNOTATION):
            continue
        where = f"{path}.annotations.{key}"
        if isinstance(value, Unknown):
            return unknown(value.reason, where)
        if value == "runtime/default" or str(value).startswith("localhost/"):
            continue
        return fail(where, f"container {key[len(APPARMOR_ANNOTATION):]} runs with AppArmor profile {value}")
    return PASS


def _pod_metadata_path(resource: Resource) -> str | None:
    """`metadata` of a Pod, `spec.template.metadata` of a workload, ... (None: not a pod-bearing kind)."""
    pod_path = resource.pod_spec_path
    if not pod_path:
        return None
    return "metadata" if pod_path == "spec" else pod_path.rsplit(".spec", 1)[0] + ".metadata"


def _selects(selector: Any, labels: dict) -> bool:
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
        key, op, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if (op == "In" and (not present or str(labels[key]) not in map(str, values))) or \
           (op == "NotIn" and present and str(labels[key]) in map(str, values)) or \
           (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def disruption_budget(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """A PodDisruptionBudget in the namespace selects the workload's pods."""
    if resource.kind != "kubernetes":
        return PASS
    labels = _labels(resource)
    namespace = namespace_of(resource)
    for budget in ctx.of_type(["PodDisruptionBudget"]):
        if budget.kind != "kubernetes" or namespace_of(budget) != namespace:
            continue
        spec = budget.values.get("spec") if isinstance(budget.values.get("spec"), dict) else {}
        if _selects(spec.get("selector"), labels):
            return PASS
    return fail("", "no PodDisruptionBudget selects its pods")


def replicated(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """The workload keeps at least `min` replicas: spec.replicas, or a HorizontalPodAutoscaler's minReplicas."""
    if resource.kind != "kubernetes":
        return PASS
    minimum = int(args.get("min", 2))
    spec = resource.values.get("spec") if isinstance(resource.values.get("spec"), dict) else {}
    replicas = spec.get("replicas", 1)
    if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= minimum:
        return PASS
    shown = f"spec.replicas is {replicas}" if "replicas" in spec else "spec.replicas is not set (1)"
    namespace = namespace_of(resource)
    for hpa in ctx.of_type(["HorizontalPodAutoscaler"]):
        if hpa.kind != "kubernetes" or namespace_of(hpa) != namespace:
            continue
        hpa_spec = hpa.values.get("spec") if isinstance(hpa.values.get("spec"), dict) else {}
        target = hpa_spec.get("scaleTargetRef") if isinstance(hpa_spec.get("scaleTargetRef"), dict) else {}
        if target.get("kind") == resource.type and target.get("name") == resource.name:
            floor = hpa_spec.get("minReplicas", 1)
            if isinstance(floor, int) and floor >= minimum:
                return PASS
            return fail("spec.replicas", f"{shown} and its HorizontalPodAutoscaler {hpa.name} allows {floor}")
    return fail("spec.replicas", f"{shown} and no HorizontalPodAutoscaler keeps {minimum} or more")


_TLS_PROTOCOLS = ("HTTPS", "TLS")


def route_tls(resource: Resource, args: dict, ctx: Context, base: Match | None = None) -> Verdict:
    """An HTTPRoute is served over TLS: it attaches to an HTTPS/TLS listener of its Gateway, or it only
    redirects to https. Gateways outside the scanned manifests cannot be judged."""
    spec = resource.values.get("spec") if isinstance(resource.values.get("spec"), dict) else {}
    if _redirects_to_https(spec):
        return PASS
    refs = [r for r in spec.get("parentRefs") or [] if isinstance(r, dict) and r.get("kind", "Gateway") == "Gateway"]
    if not refs:
        return unknown("the route's parent Gateway (none named)", "spec")
    blocker = ""
    for ref in refs:
        gateway = _gateway(ref, namespace_of(resource), ctx)
        if gateway is None:
            blocker = blocker or f"Gateway {ref.get('name')} (not in the scanned manifests)"
            continue
        listeners = [l for l in lookup(gateway, "spec.listeners[*]") if isinstance(l.value, dict)]
        section = ref.get("sectionName")
        chosen = [l.value for l in listeners if section in (None, l.value.get("name"))]
        if any(str(l.get("protocol", "")).upper() in _TLS_PROTOCOLS for l in chosen):
            return PASS
    if blocker:
        return unknown(blocker, "spec.parentRefs")
    return fail("spec.parentRefs", "it attaches only to plain-HTTP listeners")


def _redirects_to_https(spec: dict) -> bool:
    rules = spec.get("rules") or []
    if not rules:
        return False
    for rule in rules:
        filters = rule.get("filters") if isinstance(rule, dict) else None
        redirect = [f.get("requestRedirect") for f in filters or [] if isinstance(f, dict)]
        if not any(isinstance(r, dict) and r.get("scheme") == "https" for r in redirect):
            return False
    return True


def _gateway(ref: dict, namespace: str, ctx: Context) -> Resource | None:
    wanted = ref.get("namespace") or namespace
    for gateway in ctx.of_type(["Gateway"]):
        if gateway.kind == "kubernetes" and gateway.name == ref.get("name") and namespace_of(gateway) == wanted:
            return gateway
    return None


HAVEN: dict = {
    "hcc_passed": hcc_passed,
    "cluster_zones": cluster_zones,
    "worker_minimum": worker_minimum,
    "node_os_hardened": node_os_hardened,
    "nodes_private": nodes_private,
    "k8s_version_recent": k8s_version_recent,
    "addon_present": addon_present,
    "environment": environment,
    "effective": effective,
    "first_workload_in_namespace": first_workload_in_namespace,
    "default_deny_policy": default_deny_policy,
    "disruption_budget": disruption_budget,
    "replicated": replicated,
    "route_tls": route_tls,
    "eks_network_policy": eks_network_policy,
    "apparmor_annotations": apparmor_annotations,
}


# --- the haven summary: per cluster, in HCC's own terms ------------------------------------------------

def hcc_labels() -> dict[str, str]:
    """HCC check name -> the label HCC prints, in HCC's own order (policies/registries/hcc-checks.yaml)."""
    return {c["name"]: c["label"] for c in registry("hcc-checks.yaml")["checks"]}


_HCC_REFERENCE = re.compile(r"^Haven HCC (\w+)$")   # policy references.standards entry naming its HCC check


@dataclass(frozen=True)
class ClusterSummary:
    """The static pre-flight of one Terraform cluster: each HCC check its policies cover, and the outcome."""
    address: str
    path: str
    line: int
    checks: tuple[tuple[str, str], ...]     # (HCC label, pass | fail | open), in HCC's order

    def count(self, state: str) -> int:
        return sum(1 for _, s in self.checks if s == state)

    def labels(self, state: str) -> list[str]:
        return [label for label, s in self.checks if s == state]


@dataclass(frozen=True)
class LiveSummary:
    """One HCC results file, counted the way HCC prints its own result line (mandatory checks only)."""
    path: str
    version: str
    compliant: bool | None
    results: tuple[tuple[str, str], ...]    # (label, YES | NO | SKIPPED | UNKNOWN)

    def count(self, result: str) -> int:
        return sum(1 for _, r in self.results if r == result)

    def line(self) -> str:
        verdict = {True: "This is a Haven Compliant cluster.", False: "This is NOT a Haven Compliant cluster.",
                   None: ""}[self.compliant]
        return (f"Results: {self.count('YES')} out of {len(self.results)} checks passed, {self.count('SKIPPED')} "
                f"checks skipped, {self.count('UNKNOWN')} checks unknown. {verdict}").rstrip()


@dataclass(frozen=True)
class HavenSummary:
    clusters: tuple[ClusterSummary, ...] = ()
    live: tuple[LiveSummary, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clusters or self.live)


def hcc_names(policy: Any) -> list[str]:
    standards = (policy.references or {}).get("standards") or []
    return [m.group(1) for s in standards if (m := _HCC_REFERENCE.match(str(s)))]


def summarise(engine: Any, result: Any) -> HavenSummary:
    """`engine` is the evaluate Engine that produced `result` (its model, context and conditions)."""
    return HavenSummary(tuple(_clusters(engine, result)), tuple(_live(engine.model)))


def _clusters(engine: Any, result: Any) -> list[ClusterSummary]:
    covering = [(name, p) for p in result.policies if p.family == "haven" for name in hcc_names(p)]
    if not covering:
        return []
    labels = hcc_labels()
    order = {name: i for i, name in enumerate(labels)}
    covering.sort(key=lambda item: (order.get(item[0], len(order)), item[1].id))
    failed = {(f.policy_id, f.address) for f in result.findings}
    opened = {(f.policy_id, f.address) for f in result.unresolved}
    summaries, seen = [], set()
    for cluster in engine.model.resources:
        if cluster.kind != "terraform" or cluster.type not in CLUSTERS or cluster.address in seen:
            continue
        seen.add(cluster.address)
        group = {cluster.address} | {p.resource.address for p in cluster_pools(cluster, engine.context)}
        states: dict[str, str] = {}
        for name, policy in covering:
            if not _applies(engine, policy, cluster):
                continue
            keys = {(policy.id, address) for address in group}
            state = "fail" if keys & failed else "open" if keys & opened else "pass"
            states[name] = _worst(states.get(name), state)
        if states:
            checks = tuple((labels.get(n, n), s) for n, s in states.items())
            summaries.append(ClusterSummary(cluster.address, cluster.path, cluster.line, checks))
    return summaries


def _applies(engine: Any, policy: Any, cluster: Resource) -> bool:
    for check in policy.checks:
        if cluster.type not in (check.match.get("terraform") or []):
            continue
        if check.where is None or engine.condition(cluster, check.where, None).state is not False:
            return True
    return False


def _worst(old: str | None, new: str) -> str:
    rank = {"pass": 0, "open": 1, "fail": 2}
    return new if old is None or rank[new] > rank[old] else old


def _live(model: Model) -> list[LiveSummary]:
    by_file: dict[str, list[Resource]] = {}
    for resource in model.resources:
        if resource.kind == "haven" and resource.type == "hcc_check":
            by_file.setdefault(resource.path, []).append(resource)
    out = []
    for path, checks in by_file.items():
        mandatory = [c.values for c in checks if not c.values.get("suggested")]
        first = checks[0].values
        out.append(LiveSummary(path, str(first.get("version") or "HCC"), first.get("compliant"),
                               tuple((str(v.get("label")), str(v.get("result"))) for v in mandatory)))
    return out
