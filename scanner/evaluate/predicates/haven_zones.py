"""Haven predicate for HCC's "Multiple availability zones in use" (multiaz): the zones a cluster's node pools
span, all pools together, per cluster type (AKS, GKE, EKS, SKE, OVH, Kapsule)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.haven import CLUSTER_FACTS, cluster_of, maybe_joins, no_pools
from scanner.evaluate.predicates.spec import INTEGER, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import SELF_MANAGED_POOL, Cluster, first_value, is_gke_region, truthy
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.values import Unknown



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
    cluster = cluster_of(resource, ctx)
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
        return no_pools(cluster, ctx)
    for pool in cluster.pools:
        if pool.resource.type == SELF_MANAGED_POOL:
            _subnet_zones(pool.resource, "vpc_zone_identifier", ctx, seen)
            seen.add(pool.values.get("availability_zones"))
        else:
            _subnet_zones(pool.resource, "subnet_ids", ctx, seen)
    verdict = seen.verdict(minimum, "vpc_config", "the node groups' subnets lie in one availability zone", "subnet")
    return maybe_joins(cluster, "vpc_config") if verdict.state is False and cluster.maybe_pools else verdict


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
        return no_pools(cluster, ctx)
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


HAVEN_ZONES: dict[str, PredicateSpec] = {
    "cluster_zones": spec(cluster_zones, optional={"min": INTEGER}, reads=CLUSTER_FACTS, derived=("clusters",), registries=("regions",)),
}
