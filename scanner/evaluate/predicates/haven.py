"""Haven predicates: the static pre-flight of the Haven Compliancy Checker (HCC) over the clusters the
model derived (scanner/model/derive/clusters.py), and the live HCC results.

The HCC judges a running cluster; these predicates judge the Terraform that builds one, all node pools
of a cluster together, the way HCC sees the nodes.
"""
from __future__ import annotations

import datetime

from dataclasses import dataclass
from typing import Any, Callable

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import BOOLEAN, INTEGER, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import (POOL_TYPES, SELF_MANAGED_POOL, SELF_MANAGED_TEMPLATES, Cluster, Pool, cluster_key,
                                           first_value, gke_keeps_default_pool, is_gke_region, self_managed_groups,
                                           truthy)
from scanner.model.paths import Match, lookup, without_indices
from scanner.model.resource import Resource, base_address
from scanner.model.values import Unknown
from scanner.registries.kubernetes import HARDENED, NodeOsTable, ReleaseTable, minor_version, node_os, releases

_CLUSTER_FACTS = ("cluster with its node pools (derived)",)


# --- live results (kind haven, type hcc_check) ----------------------------------------------------
def hcc_passed(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
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


def _cluster(resource: Resource, ctx: Context) -> Cluster | None:
    return ctx.model.clusters.get(cluster_key(resource))


def _no_pools(found: Cluster, ctx: Context) -> Verdict:
    """What is not known of a cluster whose node pools the scanned code does not hold: autoscaling groups that
    may be its nodes, or EKS Auto Mode and Fargate, which run pods on nodes AWS starts (the code does not
    describe them)."""
    if found.maybe_pools:
        return _maybe(found)
    cluster = found.resource
    if cluster.type == "aws_eks_cluster":
        auto_mode = truthy(first_value(cluster, "compute_config.enabled"))
        if isinstance(auto_mode, Unknown):
            return unknown(auto_mode.reason, "compute_config")
        if auto_mode:
            return unknown("its nodes (EKS Auto Mode starts them as pods need them; the code sets no minimum)")
        fargate = next((p for p in ctx.of_type(["aws_eks_fargate_profile"]) if _profile_of(p, cluster)), None)
        if fargate is not None:
            return unknown(f"its nodes ({fargate.address} runs pods on Fargate, on nodes AWS starts for them)")
    return unknown("which node pools it has (none are in the scanned code)")


def _profile_of(profile: Resource, cluster: Resource) -> bool:
    """The Fargate profile names the cluster: a reference to it, or its name written out, in its root module."""
    if profile.root != cluster.root:
        return False
    name = cluster.values.get("name")
    return base_address(cluster.address) in profile.references.get("cluster_name", frozenset()) or \
        (isinstance(name, str) and profile.values.get("cluster_name") == name)


# --- at least N worker nodes (HCC haworkers) ---------------------------------------------------------
def worker_minimum(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The node pools together keep at least `min` nodes (their minimum size when they autoscale)."""
    minimum = int(args.get("min", 3))
    cluster = _cluster(resource, ctx)
    if cluster is None:
        return PASS
    counts = list(cluster.extra_nodes) + [(p.label, p.min_nodes) for p in cluster.pools]
    if not counts:
        return _no_pools(cluster, ctx)
    total, parts, blocker = 0, [], ""
    for label, count in counts:
        if isinstance(count, Unknown):
            blocker = blocker or count.reason
            continue
        total += count
        parts.append(f"{label}: {count}")
    path = _count_path(cluster)
    if total >= minimum:
        return PASS
    if blocker:
        return unknown(blocker, path)
    if cluster.maybe_pools:
        return _maybe(cluster, path)
    return fail(path, f"the node pools keep at least {total} node{'' if total == 1 else 's'} ({'; '.join(parts)}), {minimum} needed")


def _maybe(cluster: Cluster, path: str = "") -> Verdict:
    """A verdict the autoscaling groups that may be the cluster's nodes could change."""
    group = cluster.maybe_pools[0].address
    more = f" and {len(cluster.maybe_pools) - 1} more" if len(cluster.maybe_pools) > 1 else ""
    return unknown(_may_join(group + more), path)


def _may_join(groups: str) -> str:
    return f"whether {groups} joins the cluster ({_MAYBE_WHY})"


_MAYBE_WHY = "its launch template refers to the cluster, but no node bootstrap was found in its user data"


def _count_path(cluster: Cluster) -> str:
    inline = cluster.inline_pools
    if not inline:
        return ""
    pool = inline[0]
    for attr in ("min_count", "node_count", "minimum", "autoscaling", "initial_node_count"):
        if pool.values.get(attr) is not None:   # the attribute that decided the count, not a null one
            return without_indices(pool.located(attr))
    return without_indices(pool.prefix)


# --- multiple availability zones (HCC multiaz) -----------------------------------------------------
@dataclass
class _Zones:
    """Zones seen over a cluster's pools; Unknown values block a verdict only when what is known fails."""
    zones: set[str]
    blocker: str = ""
    regional: bool = False    # GKE regional default: every zone of the region
    most: int | None = 0      # how many zones the entries seen could name at most (each names one); None: any

    @classmethod
    def of(cls, cluster: Cluster) -> "_Zones":
        """None seen yet; the entries bound the zones only when the number of pools is known."""
        return cls(set(), most=0 if cluster.pools_counted else None)

    def add(self, values: Any, counted: bool = True) -> None:
        if counted:
            self.bound(values)
        if isinstance(values, Unknown):
            self.blocker = self.blocker or values.reason
            return
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Unknown):
                self.blocker = self.blocker or value.reason
            elif value not in (None, ""):
                self.zones.add(str(value))

    def bound(self, values: Any) -> None:
        """Entries that each lie in one zone (a zone, a subnet): a written list of them spans at most its length,
        whatever its unknown entries turn out to be; an unknown list, any number."""
        if self.most is None or values is None or values == "":
            return
        self.most = None if isinstance(values, Unknown) else self.most + (len(values) if isinstance(values, list) else 1)

    def verdict(self, minimum: int, path: str, what: str, entry: str = "zone") -> Verdict:
        if self.regional or len(self.zones) >= minimum:
            return PASS
        if self.blocker and self.most is not None and self.most < minimum:
            return fail(path, f"{what} (only {self.most} {entry}{'' if self.most == 1 else 's'} set)")
        if self.blocker:
            return unknown(self.blocker, path)
        if not self.zones:
            return fail(path, f"{what} (no zone set)")
        return fail(path, f"{what} (zone {', '.join(sorted(self.zones))})")   # not "(2)": that reads as a count


def cluster_zones(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The cluster's nodes (all pools together, as HCC counts them) span at least `min` zones."""
    minimum = int(args.get("min", 2))
    cluster = _cluster(resource, ctx)
    judge = _ZONE_JUDGES.get(resource.type)
    return judge(cluster, ctx, minimum) if judge and cluster else PASS


def _aks_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones.of(cluster)
    for pool in cluster.pools:
        seen.add(pool.values.get("zones", pool.values.get("availability_zones")))
    return seen.verdict(minimum, "default_node_pool.zones", "every node pool runs in one zone")


def _gke_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    values = cluster.resource.values
    location = values.get("location")
    if truthy(values.get("enable_autopilot")) is True and \
            (isinstance(location, Unknown) or not location or is_gke_region(location)):
        return PASS    # Autopilot clusters are regional (GKE refuses a zone): nodes spread over the region's zones
    if isinstance(location, Unknown):
        return unknown(location.reason, "location")
    if not location:
        return unknown("its location (not set)", "location")
    default = values.get("node_locations")
    seen = _Zones.of(cluster)
    for pool in cluster.pools or (None,):
        own = pool.values.get("node_locations") if pool else None
        if own not in (None, []):
            seen.add(own)                  # a pool's own list is all its zones
        elif default not in (None, []):
            seen.add(default)              # the cluster's list: a zonal cluster's nodes are in its zone as well
            if not is_gke_region(location):
                seen.add(location)
        elif is_gke_region(location):
            seen.regional = True
        else:
            seen.add(location)
    return seen.verdict(minimum, "location", "the cluster and its node pools use one zone")


def _eks_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones.of(cluster)
    auto_mode = truthy(first_value(cluster.resource, "compute_config.enabled"))
    if isinstance(auto_mode, Unknown):
        return unknown(auto_mode.reason, "compute_config")
    if auto_mode:   # EKS Auto Mode: the nodes go into the cluster's subnets
        _subnet_zones(cluster.resource, "vpc_config.subnet_ids", ctx, seen)
    elif not cluster.pools:
        return _no_pools(cluster, ctx)
    for pool in cluster.pools:
        if pool.resource.type == SELF_MANAGED_POOL:
            _subnet_zones(pool.resource, "vpc_zone_identifier", ctx, seen)
            seen.add(pool.values.get("availability_zones"))
        else:
            _subnet_zones(pool.resource, "subnet_ids", ctx, seen)
    verdict = seen.verdict(minimum, "vpc_config", "the node groups' subnets lie in one availability zone", "subnet")
    return _maybe(cluster, "vpc_config") if verdict.state is False and cluster.maybe_pools else verdict


def _subnet_zones(resource: Resource, path: str, ctx: Context, seen: _Zones) -> None:
    """Availability zones of the subnets at `path`; a literal subnet id names a subnet outside the scanned code,
    whose zone is not known (two such ids may lie in one zone)."""
    for match in lookup(resource, path):
        seen.bound(match.value)    # a subnet lies in one zone, whichever it is
        for value in match.value if isinstance(match.value, list) else [match.value]:
            if isinstance(value, Unknown) and value.refers_to:
                subnets = ctx.at(value.refers_to, resource.root)
                zones = [s.values.get("availability_zone", s.values.get("availability_zone_id")) for s in subnets]
                if not zones:
                    seen.add(value, counted=False)
                for zone in zones:
                    seen.add(zone if zone is not None else Unknown(f"availability_zone of {value.refers_to}"),
                             counted=False)
            elif isinstance(value, str) and value:
                seen.add(Unknown(f"the availability zone of subnet {value[:60]} (not in the scanned code)"),
                         counted=False)
            else:
                seen.add(value, counted=False)


def _ske_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones.of(cluster)
    for pool in cluster.pools:
        seen.add(pool.values.get("availability_zones"))
    return seen.verdict(minimum, "node_pools", "every node pool uses the same availability zone")


def _ovh_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    seen = _Zones.of(cluster)
    for pool in cluster.pools:
        seen.add(pool.values.get("availability_zones"))
    if len(seen.zones) >= minimum:
        return PASS
    region = cluster.resource.values.get("region")
    if isinstance(region, Unknown):
        return unknown(region.reason, "region")
    known = ctx.regions.lookup("ovh", region) if isinstance(region, str) else None
    if known is None and isinstance(region, str):
        return unknown(f"the number of availability zones of OVH region {region} (the region registry, as of "
                       f"{ctx.regions.as_of}, does not list it)", "region")
    if known is not None and known.zones >= minimum:
        return seen.verdict(minimum, "region", "the node pools use one availability zone")
    return fail("region", f"region {region} has a single availability zone")


def _scaleway_zones(cluster: Cluster, ctx: Context, minimum: int) -> Verdict:
    if not cluster.pools:
        return _no_pools(cluster, ctx)
    seen = _Zones.of(cluster)
    for pool in cluster.pools:
        zone = pool.values.get("zone")
        seen.add(zone if zone is not None else pool.resource.provider_values.get("zone") or "the provider's zone")
    return seen.verdict(minimum, "", "every node pool runs in one zone")


_ZONE_JUDGES: dict[str, Callable[[Cluster, Context, int], Verdict]] = {
    "azurerm_kubernetes_cluster": _aks_zones,
    "google_container_cluster": _gke_zones,
    "aws_eks_cluster": _eks_zones,
    "stackit_ske_cluster": _ske_zones,
    "ovh_cloud_project_kube": _ovh_zones,
    "scaleway_k8s_cluster": _scaleway_zones,
}


# --- private networking (HCC privatenetworking) -------------------------------------------------------
def nodes_private(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """EKS node group, managed or self-managed (an autoscaling group): its subnets do not hand out public IPs and
    its launch template asks for none. A group that only may be the cluster's nodes is unresolved where its nodes
    would get public IPs, and passes where they would not."""
    if resource.type != SELF_MANAGED_POOL:
        return _launched_private(resource, _MANAGED_TEMPLATES, "subnet_ids", ctx)
    verdict = _launched_private(resource, _GROUP_TEMPLATES, "vpc_zone_identifier", ctx)
    membership = _self_managed(resource, ctx)
    if verdict.state is False and membership is not None and not membership[1]:
        return unknown(f"{_may_join(resource.address)}; if it does, {verdict.detail}", verdict.path)
    return verdict


def self_managed_node_group(resource: Resource, args: dict[str, Any], ctx: Context,
                            base: Match | None = None) -> Verdict:
    """The autoscaling group is a self-managed node group of an EKS cluster in the scanned code (its launch
    template's user data bootstraps a node into it), or may be one (a maybe-pool of the cluster)."""
    return PASS if _self_managed(resource, ctx) else fail("", "no node group of a cluster in the scanned code")


def _self_managed(group: Resource, ctx: Context) -> tuple[Cluster, bool] | None:
    """The cluster the group is a node group of (True) or may be one of (False); None when neither."""
    key = ("self-managed node groups", "")
    if key not in ctx.memo:   # once per scan, for every autoscaling group asked about
        ctx.memo[key] = self_managed_groups(ctx.model.clusters.values())
    found: tuple[Cluster, bool] | None = ctx.memo[key].get(cluster_key(group))
    return found


def gke_nodes_private(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """GKE cluster: private_cluster_config makes every node private, or the default pool is gone and each of
    its node pools asks for private nodes itself (network_config.enable_private_nodes)."""
    config = "private_cluster_config.enable_private_nodes"
    private = truthy(first_value(resource, config))
    if isinstance(private, Unknown):
        return unknown(private.reason, config)
    if private:
        return PASS
    unset = fail(config, f"{config} is not set")
    keeps_default_pool = gke_keeps_default_pool(resource)
    if isinstance(keeps_default_pool, Unknown):
        return unknown(keeps_default_pool.reason, "remove_default_node_pool")
    cluster = _cluster(resource, ctx)
    if keeps_default_pool or cluster is None or not cluster.pools:
        return unset    # the default pool's nodes, or those of pools outside the scanned code, are public
    for pool in cluster.pools:
        path = pool.located("network_config.enable_private_nodes")
        own = truthy(first_value(pool.resource, path))
        if isinstance(own, Unknown):
            return unknown(own.reason, path)
        if not own:
            return fail(config, f"{config} is not set and node pool {pool.label} does not ask for private nodes "
                                "(network_config.enable_private_nodes)")
    return PASS


def _subnet_public(value: Any, root: str, ctx: Context, path: str) -> Verdict:
    if not isinstance(value, Unknown):
        return unknown(f"subnet {value} (not in the scanned code)", path)
    if not value.refers_to:
        return unknown(value.reason, path)
    subnets = [s for s in ctx.at(value.refers_to, root) if s.type == "aws_subnet"]
    if not subnets:
        return unknown(value.reason, path)
    for subnet in subnets:
        public = truthy(subnet.values.get("map_public_ip_on_launch"))
        if isinstance(public, Unknown):
            return unknown(public.reason, path)
        if public:
            return fail(path, f"subnet {subnet.address} sets map_public_ip_on_launch, so nodes get public IPs")
    return PASS


# The launch template a managed node group's instances start from.
_MANAGED_TEMPLATES = ("launch_template.id", "launch_template.name")


def _launched_private(group: Resource, templates: tuple[str, ...], subnets: str, ctx: Context) -> Verdict:
    """A node group's nodes get no public IP: no launch template (at `templates`) they start from asks for one,
    and no subnet (at `subnets`) maps one on launch, unless every template says no public IP: EC2 assigns one
    as the launch asks, the subnet's attribute being only its default."""
    template = _templates_private(group, templates, ctx)
    if template.state is False:
        return template
    if template.state is True and _templates_decline(group, templates, ctx):
        return PASS
    if group.type == SELF_MANAGED_POOL and first_value(group, subnets) in (None, []):
        # its instances launch in the default VPC, whose default subnets map public IPs unless someone changed that
        return template if template.state is None else \
            unknown("the subnets its instances launch in (no vpc_zone_identifier: the default VPC's)", subnets)
    blocker = template if template.state is None else None
    for match in lookup(group, subnets):
        for value in match.value if isinstance(match.value, list) else [match.value]:
            found = _subnet_public(value, group.root, ctx, subnets)
            if found.state is False:
                # a template not in the code, or whose flag is not known, may say no public IP, overriding the subnet
                return template if template.state is None and _templates_may_decline(group, templates, ctx) \
                    else found
            blocker = blocker or (found if found.state is None else None)
    return blocker or PASS


# Where a launch template or configuration asks for a public IP on each instance it starts.
_PUBLIC_IP = {"aws_launch_template": "network_interfaces.associate_public_ip_address",
              "aws_launch_configuration": "associate_public_ip_address"}
# An autoscaling group's instances start from these, and a mixed-instances override may start some from another.
_GROUP_TEMPLATES = SELF_MANAGED_TEMPLATES + tuple(
    f"mixed_instances_policy.launch_template.override.launch_template_specification.{key}"
    for key in ("launch_template_id", "launch_template_name"))


def _templates_private(group: Resource, paths: tuple[str, ...], ctx: Context) -> Verdict:
    """No launch template (or configuration) the group starts instances from (named at `paths`) asks for a public
    IP; one that is not in the scanned code leaves it unresolved."""
    blocker = None
    for path in paths:
        for match in lookup(group, path):
            if match.value in (None, ""):
                continue
            verdict = _template_private(group, path, match.value, ctx)
            if verdict.state is False:
                return verdict
            blocker = blocker or (verdict if verdict.state is None else None)
    return blocker or PASS


def _templates_decline(group: Resource, paths: tuple[str, ...], ctx: Context) -> bool:
    """Every launch template (or configuration) the group starts instances from is in the scanned code and sets
    associate_public_ip_address to false."""
    named = [(path, match.value) for path in paths for match in lookup(group, path) if match.value not in (None, "")]
    for path, value in named:
        templates = _templates_named(group, path, value, ctx)
        if not templates or not all(_declines(template) for template in templates):
            return False
    return bool(named)


def _templates_may_decline(group: Resource, paths: tuple[str, ...], ctx: Context) -> bool:
    """No launch template (or configuration) the group starts instances from certainly leaves the public IP to
    the subnet: each is not in the scanned code, or sets associate_public_ip_address to false or to a value not
    known statically."""
    named = [(path, match.value) for path in paths for match in lookup(group, path) if match.value not in (None, "")]
    for path, value in named:
        for template in _templates_named(group, path, value, ctx):
            flags = lookup(template, _PUBLIC_IP[template.type])
            if not flags or not all(isinstance(truthy(f.value), Unknown) or truthy(f.value) is False for f in flags):
                return False
    return bool(named)


def _declines(template: Resource) -> bool:
    flags = lookup(template, _PUBLIC_IP[template.type])
    return bool(flags) and all(truthy(flag.value) is False for flag in flags)


def _template_private(group: Resource, path: str, value: Any, ctx: Context) -> Verdict:
    where = path.rpartition(".")[0] or path   # the block naming the template, as a managed group's finding points
    templates = _templates_named(group, path, value, ctx)
    if not templates:
        return unknown(value.reason if isinstance(value, Unknown) else f"launch template {value} (not in the scanned "
                                                                         "code)", where)
    for template in templates:
        for flag in lookup(template, _PUBLIC_IP[template.type]):
            public = truthy(flag.value)
            if isinstance(public, Unknown):
                return unknown(public.reason, where)
            if public:
                kind = "launch template" if template.type == "aws_launch_template" else "launch configuration"
                return fail(where, f"{kind} {template.address} sets associate_public_ip_address, so nodes get public IPs")
    return PASS


def _templates_named(group: Resource, path: str, value: Any, ctx: Context) -> list[Resource]:
    """The launch templates (or configurations) in the scanned code that the value at `path` names: the instance
    its id refers to, or, for a name Terraform knows before apply, the referenced one of that name."""
    kind = "aws_launch_configuration" if path == "launch_configuration" else "aws_launch_template"
    if isinstance(value, Unknown):
        found = [t for t in ctx.at(value.refers_to, group.root) if t.type == kind] if value.refers_to else []
        return [t for t in found if t.address == value.refers_to] or found
    return [t for address in sorted(group.references.get(path, ())) for t in ctx.at(address, group.root)
            if t.type == kind and t.values.get("name") == value]


# --- hardened node OS (HCC nodehardening) -----------------------------------------------------------
def node_os_hardened(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """Every node pool runs an image the node-OS registry lists with an LSM or hardened OS HCC accepts.
    A cluster answers for its inline pools; a pool resource answers for itself, so a finding points at it."""
    registry = node_os()
    if resource.type in POOL_TYPES:
        table = registry.clusters.get(POOL_TYPES[resource.type])
        pool = Pool(resource.values, "", resource, resource.address, None)
        return _pool_os(pool, table, registry.as_of) if table else PASS
    table = registry.clusters.get(resource.type)
    cluster = _cluster(resource, ctx)
    if table is None or cluster is None:
        return PASS
    if resource.type == "aws_eks_cluster" and truthy(first_value(resource, "compute_config.enabled")) is True:
        return PASS if table.auto_mode in HARDENED else unknown("the EKS Auto Mode node image")
    pools = list(cluster.pools)
    if resource.type == "google_container_cluster" and not resource.values.get("node_pool"):
        pools.append(Pool(resource.values, "", resource, "default pool", None))
    if not pools:
        return _no_pools(cluster, ctx)
    blocker = _maybe(cluster) if cluster.maybe_pools else None
    self_managed = next((p for p in pools if p.resource.type == SELF_MANAGED_POOL), None)
    if self_managed is not None:   # its image is the launch template's AMI, which the node-OS registry cannot name
        blocker = unknown(f"the node image of {self_managed.resource.address} (a self-managed group's AMI)")
    for pool in (p for p in pools if p.resource is resource):
        verdict = _pool_os(pool, table, registry.as_of)
        if verdict.state is False:
            return verdict
        if verdict.state is None and blocker is None:
            blocker = verdict
    return blocker or PASS


def _pool_os(pool: Pool, table: NodeOsTable, as_of: str) -> Verdict:
    values = pool.values
    for flag, windows in table.windows_when.items():
        if str(values.get(flag, "")).lower() == str(windows).lower():
            return fail(without_indices(pool.located(flag)), f"{pool.label} runs Windows nodes, which have none of them")
    attribute = pool.located(table.attribute)
    matches = lookup(pool.resource, attribute)
    value = matches[0].value if matches else None
    if isinstance(value, Unknown):
        return unknown(value.reason, without_indices(attribute))
    image = str(value) if value not in (None, "") else table.default
    module = table.security_module(image)
    path = without_indices(attribute if matches else pool.prefix)
    if module in HARDENED:
        return PASS
    if module == "none":
        return fail(path, f"{pool.label} runs {image}, which has none of them")
    return unknown(f"whether {image} nodes run an LSM HCC accepts (node-os registry, as of {as_of})", path)


# --- Kubernetes version (HCC kubernetesversion) -------------------------------------------------------
def k8s_version_recent(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The pinned version is the latest stable minor or at most `max_minors_behind` behind (dated table).
    No version set: the provider installs a current default, so the check passes."""
    table = releases()
    latest_major, latest_minor = table.latest
    for path in args.get("paths", ["version"]):
        matches = lookup(resource, path, base)
        if not matches or matches[0].value in (None, ""):
            continue
        value = matches[0].value
        if isinstance(value, Unknown):
            return unknown(value.reason, path)
        seen = minor_version(value)
        if seen is None:
            return unknown(f"Kubernetes version {str(value)[:40]!r}", path)
        major, minor = seen
        lowest = latest_minor - table.max_minors_behind
        if major > latest_major or (major == latest_major and minor >= lowest + _minors_since(table, ctx.today)):
            return PASS
        if major == latest_major and minor >= lowest:
            return unknown(f"whether {value} is within {table.max_minors_behind} minor versions of the latest release "
                           f"(the version table knows {table.latest_stable} as of {table.as_of}, and a minor release "
                           "comes about every four months)", path)
        return fail(path, f"{value} is more than {table.max_minors_behind} minor versions behind "
                          f"{table.latest_stable}, the latest stable release as of {table.as_of}")
    return PASS


def _minors_since(table: ReleaseTable, today: datetime.date) -> int:
    """How many minor releases may have come out since the table's latest: one every `release_every_days`
    after its release date, or, when the table does not record that, at least one as soon as the table is older than
    its own date (rounded up). A version that many steps inside the window is inside it whatever they were;
    one nearer its edge may have dropped out."""
    try:
        if table.released:
            return max(0, (today - datetime.date.fromisoformat(table.released)).days // table.release_every_days)
        days = (today - datetime.date.fromisoformat(table.as_of)).days
        return max(0, -(-days // table.release_every_days))
    except ValueError:
        return 0


HAVEN: dict[str, PredicateSpec] = {
    "hcc_passed": spec(hcc_passed, optional={"with_label": BOOLEAN}, reads=("Haven Compliancy Checker results",)),
    "cluster_zones": spec(cluster_zones, optional={"min": INTEGER}, reads=_CLUSTER_FACTS, derived=("clusters",), registries=("regions",)),
    "worker_minimum": spec(worker_minimum, optional={"min": INTEGER}, reads=_CLUSTER_FACTS, derived=("clusters",)),
    "node_os_hardened": spec(node_os_hardened, reads=_CLUSTER_FACTS, derived=("clusters",), registries=("node-os",)),
    "nodes_private": spec(nodes_private, reads=("subnets and launch templates the node group refers to",) + _CLUSTER_FACTS,
                          derived=("clusters",)),
    "self_managed_node_group": spec(self_managed_node_group, reads=_CLUSTER_FACTS, derived=("clusters",)),
    "gke_nodes_private": spec(gke_nodes_private, reads=_CLUSTER_FACTS, derived=("clusters",)),
    "k8s_version_recent": spec(k8s_version_recent, optional={"paths": STRINGS}, registries=("kubernetes-versions",)),
}

