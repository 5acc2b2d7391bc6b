"""Haven predicates: the static pre-flight of the Haven Compliancy Checker (HCC) over the clusters the
model derived (scanner/model/derive/clusters.py), and the live HCC results.

The HCC judges a running cluster; these predicates judge the Terraform that builds one, all node pools
of a cluster together, the way HCC sees the nodes. Zones: haven_zones.py; private networking: haven_network.py;
both use the cluster helpers here (cluster_of, no_pools, maybe_joins).
"""
from __future__ import annotations

import datetime

from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import BOOLEAN, INTEGER, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import POOL_TYPES, SELF_MANAGED_POOL, Cluster, Pool, cluster_key, first_value, truthy
from scanner.model.paths import Match, lookup, without_indices
from scanner.model.resource import Resource, base_address
from scanner.model.values import Unknown
from scanner.registries.kubernetes import HARDENED, NodeOsTable, ReleaseTable, minor_version, node_os, releases

CLUSTER_FACTS = ("cluster with its node pools (derived)",)


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


def cluster_of(resource: Resource, ctx: Context) -> Cluster | None:
    return ctx.model.clusters.get(cluster_key(resource))


def no_pools(found: Cluster, ctx: Context) -> Verdict:
    """What is not known of a cluster whose node pools the scanned code does not hold: autoscaling groups that
    may be its nodes, or EKS Auto Mode and Fargate, which run pods on nodes AWS starts (the code does not
    describe them)."""
    if found.maybe_pools:
        return maybe_joins(found)
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
    cluster = cluster_of(resource, ctx)
    if cluster is None:
        return PASS
    counts = list(cluster.extra_nodes) + [(p.label, p.min_nodes) for p in cluster.pools]
    if not counts:
        return no_pools(cluster, ctx)
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
        return maybe_joins(cluster, path)
    return fail(path, f"the node pools keep at least {total} node{'' if total == 1 else 's'} ({'; '.join(parts)}), {minimum} needed")


def maybe_joins(cluster: Cluster, path: str = "") -> Verdict:
    """A verdict the autoscaling groups that may be the cluster's nodes could change."""
    group = cluster.maybe_pools[0].address
    more = f" and {len(cluster.maybe_pools) - 1} more" if len(cluster.maybe_pools) > 1 else ""
    return unknown(may_join(group + more), path)


def may_join(groups: str) -> str:
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
    cluster = cluster_of(resource, ctx)
    if table is None or cluster is None:
        return PASS
    if resource.type == "aws_eks_cluster" and truthy(first_value(resource, "compute_config.enabled")) is True:
        return PASS if table.auto_mode in HARDENED else unknown("the EKS Auto Mode node image")
    pools = list(cluster.pools)
    if resource.type == "google_container_cluster" and not resource.values.get("node_pool"):
        pools.append(Pool(resource.values, "", resource, "default pool", None))
    if not pools:
        return no_pools(cluster, ctx)
    blocker = maybe_joins(cluster) if cluster.maybe_pools else None
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
    "worker_minimum": spec(worker_minimum, optional={"min": INTEGER}, reads=CLUSTER_FACTS, derived=("clusters",)),
    "node_os_hardened": spec(node_os_hardened, reads=CLUSTER_FACTS, derived=("clusters",), registries=("node-os",)),
    "k8s_version_recent": spec(k8s_version_recent, optional={"paths": STRINGS}, registries=("kubernetes-versions",)),
}

