"""Haven predicates for HCC's "Private networking topology" (privatenetworking): no node gets a public IP, on
EKS from its subnets or launch templates (managed and self-managed node groups), on GKE from the cluster's or
each pool's private-node setting."""
from __future__ import annotations

from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.haven import CLUSTER_FACTS, cluster_of, may_join
from scanner.evaluate.predicates.spec import PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import (SELF_MANAGED_POOL, SELF_MANAGED_TEMPLATES, Cluster, cluster_key, first_value,
                                           gke_keeps_default_pool, self_managed_groups, truthy)
from scanner.model.paths import Match, lookup
from scanner.model.resource import Resource
from scanner.model.values import Unknown



def nodes_private(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """EKS node group, managed or self-managed (an autoscaling group): its subnets do not hand out public IPs and
    its launch template asks for none. A group that only may be the cluster's nodes is unresolved where its nodes
    would get public IPs, and passes where they would not."""
    if resource.type != SELF_MANAGED_POOL:
        return _launched_private(resource, _MANAGED_TEMPLATES, "subnet_ids", ctx)
    verdict = _launched_private(resource, _GROUP_TEMPLATES, "vpc_zone_identifier", ctx)
    membership = _self_managed(resource, ctx)
    if verdict.state is False and membership is not None and not membership[1]:
        return unknown(f"{may_join(resource.address)}; if it does, {verdict.detail}", verdict.path)
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
    cluster = cluster_of(resource, ctx)
    if keeps_default_pool or cluster is None or not cluster.pools:
        return unset    # the default pool's nodes, or those of pools outside the scanned code, are public
    for pool in cluster.pools:
        path = pool.located("network_config.enable_private_nodes")
        own = truthy(first_value(pool.resource, path))
        if isinstance(own, Unknown):
            return unknown(own.reason, path, pool.keyed("network_config.enable_private_nodes"))
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
    said = _public_ip_asked(group, templates, ctx)
    if said and all(answer is False for answer in said):
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
                may_decline = said and all(answer is False or isinstance(answer, Unknown) for answer in said)
                return template if template.state is None and may_decline else found
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


def _public_ip_asked(group: Resource, paths: tuple[str, ...], ctx: Context) -> list[bool | Unknown | None]:
    """What each launch template (or configuration) the group starts instances from says of a public IP: True
    (asks for one), False (says none), None (says nothing: the subnet decides), an Unknown (a value not known
    statically, or a template not in the scanned code)."""
    said: list[bool | Unknown | None] = []
    for path in paths:
        for match in lookup(group, path):
            if match.value in (None, ""):
                continue
            templates = _templates_named(group, path, match.value, ctx)
            if not templates:
                said.append(Unknown(f"launch template {match.value} (not in the scanned code)"))
            for template in templates:
                flags = [truthy(flag.value) for flag in lookup(template, _PUBLIC_IP[template.type])]
                said.append(None if not flags else True if True in flags else
                            next((f for f in flags if isinstance(f, Unknown)), False))
    return said


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


HAVEN_NETWORK: dict[str, PredicateSpec] = {
    "nodes_private": spec(nodes_private, reads=("subnets and launch templates the node group refers to",) + CLUSTER_FACTS,
                          derived=("clusters",)),
    "self_managed_node_group": spec(self_managed_node_group, reads=CLUSTER_FACTS, derived=("clusters",)),
    "gke_nodes_private": spec(gke_nodes_private, reads=CLUSTER_FACTS, derived=("clusters",)),
}
