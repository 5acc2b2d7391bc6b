"""Add-ons a Haven cluster runs (HCC autocerts, logs, metrics, rwxvolumes) and NetworkPolicy enforcement on
EKS: found anywhere in the scan (a Helm release, an EKS add-on, Kubernetes objects), judged for the cluster.

Absence only counts where the scanned code manages add-ons at all: a cluster-only repository leaves them to
another repository (GitOps), which this scan cannot see.

What can serve a cluster: Terraform in the cluster's own root module, or in a root module that creates no
cluster of its own (an add-ons root next to the cluster root); never Terraform of another cluster's root
(envs/dev installing an add-on says nothing about envs/prod). Kubernetes manifests, Kustomize builds and
Helm charts name no cluster, so they serve every cluster of their repository. A scan of several repositories
(a directory of clones) keeps each to its own: another repository's log collector runs on its own clusters.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import yaml

from scanner.evaluate.context import Context
from scanner.evaluate.predicates.spec import MAPPING, PATTERNS, STRING, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import first_value, truthy
from scanner.model.paths import Match, lookup
from scanner.model.repository import repository_of
from scanner.model.resource import Resource
from scanner.model.values import Unknown

_WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")


def addon_present(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The scanned code installs the add-on: a helm_release chart, an EKS add-on, a Kubernetes object of
    a given kind, a StorageClass provisioner, or a workload whose name or image matches. `off_when` (attribute
    path -> values) names the cluster settings that switch the provider's own collection off: with one of
    them written, absence is a finding even where the scanned code manages no add-ons."""
    if not any(args.get(k) for k in ("charts", "eks_addons", "kinds", "provisioners", "workloads")):
        return PASS   # nothing to look for
    checks = (_eks_addon(args, resource, ctx), _kinds(args, resource, ctx), _provisioners(args, resource, ctx),
              _workloads(args, resource, ctx))
    if any(found for found in checks):
        return PASS
    found, blocker = _helm(args, resource, ctx)
    if found:
        return PASS
    if blocker:
        return unknown(blocker)
    missing = f"no {args.get('what', 'such add-on')} found in the scanned Terraform or manifests"
    switched_off = _switched_off(resource, args.get("off_when") or {}, base)
    if switched_off is not None:
        setting, shown = switched_off
        return fail(setting.location, f"{shown} switches the provider's collection off, and {missing}", setting.key)
    if not _manages_addons(resource, ctx):
        # absence only counts where add-ons are managed: a cluster module or a cluster-only repository
        # leaves them to another repository (GitOps), which this scan cannot see
        carriers = "Helm release, EKS add-on or add-on manifest" if resource.type.startswith("aws_eks") \
            else "Helm release or add-on manifest"
        return unknown(f"which add-ons it runs (the scanned code manages none: no {carriers})")
    return fail("", missing)


def _switched_off(resource: Resource, off_when: dict[str, Any], base: Match | None) -> tuple[Match, str] | None:
    """(the setting, "path = value") of the first setting written with one of its switched-off values."""
    for path, values in sorted(off_when.items()):
        wanted = {str(v).lower() for v in (values if isinstance(values, list) else [values])}
        for match in lookup(resource, path, base):
            if not isinstance(match.value, (Unknown, dict, list)) and str(match.value).lower() in wanted:
                return Match(match.value, match.location or path, match.key or path), \
                    f"{path} = {str(match.value).lower()}"
    return None


ADDON_CARRIERS = ("helm_release", "kubernetes_manifest", "kubectl_manifest", "aws_eks_addon", "HelmRelease",
                  "Application", "DaemonSet")


def _candidates(types: list[str], cluster: Resource, ctx: Context) -> list[Resource]:
    """The resources of these types that can serve the cluster (see the module docstring)."""
    cluster_roots = {root for root, _ in ctx.model.clusters}
    repository = _repository(cluster, ctx)
    return [r for r in ctx.of_type(types)
            if (r.kind != "terraform" or r.root == cluster.root or r.root not in cluster_roots)
            and _repository(r, ctx) == repository]


def _repository(resource: Resource, ctx: Context) -> str:
    """The nested repository the resource is deployed from ("" for the scan's own): a Terraform resource's
    root module decides, as a module another repository's root calls is deployed there."""
    place = f"{resource.root}/" if resource.kind == "terraform" and resource.root else resource.path
    return repository_of(place, ctx.repositories())


def _manages_addons(cluster: Resource, ctx: Context) -> bool:
    return bool(_candidates(list(ADDON_CARRIERS), cluster, ctx))


def _matches_any(value: Any, patterns: Iterable[str]) -> bool:
    return isinstance(value, str) and any(re.search(p, value, re.IGNORECASE) for p in patterns)


def _helm(args: dict[str, Any], cluster: Resource, ctx: Context) -> tuple[bool, str]:
    """(found, blocker): a helm_release whose chart is not known statically may be the add-on."""
    charts = args.get("charts") or []
    if not charts:
        return False, ""
    blocker = ""
    for release in _candidates(["helm_release"], cluster, ctx):
        chart = release.values.get("chart")
        if isinstance(chart, Unknown):
            blocker = blocker or f"the chart of {release.address} ({chart.reason})"
        elif _matches_any(chart, [f"(^|/){c}$" for c in charts]):
            return True, ""
    for release in _candidates(["HelmRelease"], cluster, ctx):   # Flux
        chart = lookup(release, "spec.chart.spec.chart")
        if chart and _matches_any(chart[0].value, [f"^{c}$" for c in charts]):
            return True, ""
    return False, blocker


def _eks_addon(args: dict[str, Any], cluster: Resource, ctx: Context) -> bool:
    names = [n.lower() for n in args.get("eks_addons") or []]
    return bool(names) and any(str(a.values.get("addon_name", "")).lower() in names
                               for a in _candidates(["aws_eks_addon"], cluster, ctx))


def _kinds(args: dict[str, Any], cluster: Resource, ctx: Context) -> bool:
    kinds = args.get("kinds") or []
    if not kinds:
        return False
    if any(r.kind == "kubernetes" and _repository(r, ctx) == _repository(cluster, ctx) for r in ctx.of_type(kinds)):
        return True
    for manifest in _candidates(["kubernetes_manifest"], cluster, ctx):
        kind = lookup(manifest, "manifest.kind")
        if kind and kind[0].value in kinds:
            return True
    return False


def _provisioners(args: dict[str, Any], cluster: Resource, ctx: Context) -> bool:
    wanted = args.get("provisioners") or []
    if not wanted:
        return False
    for storage_class in _candidates(["StorageClass", "kubernetes_storage_class", "kubernetes_storage_class_v1"],
                                     cluster, ctx):
        provisioner = storage_class.values.get("provisioner") or first_value(storage_class, "storage_provisioner")
        if _matches_any(provisioner, wanted):
            return True
    return False


def _workloads(args: dict[str, Any], cluster: Resource, ctx: Context) -> bool:
    patterns = args.get("workloads") or []
    return bool(patterns) and any(_matches_any(name, patterns) for name in _workload_names(_repository(cluster, ctx), ctx))


def _workload_names(repository: str, ctx: Context) -> list[str]:
    """The names of a repository's Kubernetes workloads and of their images (without the registry path): the
    same for every cluster and every add-on, so gathered once per repository."""
    key = ("add-on workload names", repository)
    if key not in ctx.memo:
        names = []
        for workload in ctx.of_type(list(_WORKLOAD_KINDS)):
            if workload.kind == "kubernetes" and _repository(workload, ctx) == repository:
                names.append(workload.name)
                names.extend(str(m.value).rsplit("/", 1)[-1] for m in lookup(workload, "pod.containers[*].image"))
        ctx.memo[key] = names
    return ctx.memo[key]


# --- NetworkPolicy enforcement on EKS (Haven standard: the network layer supports NetworkPolicies) ----

VPC_CNI = "vpc-cni"
AUTO_MODE_CNI_CONFIG = "amazon-vpc-cni"   # kube-system ConfigMap that turns the policy controller on


def eks_network_policy(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """EKS enforces NetworkPolicies only when the VPC CNI add-on runs its policy agent (configuration_values
    enableNetworkPolicy "true"), the amazon-vpc-cni ConfigMap turns the controller on (Auto Mode), or a
    policy-capable CNI (`charts`/`workloads`, as in addon_present) is installed. Like the other add-on
    checks, a scan that manages no add-ons at all cannot tell (the CNI may be set up from elsewhere)."""
    blocker = ""
    for addon in _candidates(["aws_eks_addon"], resource, ctx):
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
    if _policy_controller_configured(resource, ctx):
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
    return flag if isinstance(flag, Unknown) else truthy(flag) is True


def _policy_controller_configured(cluster: Resource, ctx: Context) -> bool:
    for config_map in _candidates(["ConfigMap", "kubernetes_config_map", "kubernetes_config_map_v1"], cluster, ctx):
        if first_value(config_map, "metadata.name") != AUTO_MODE_CNI_CONFIG:
            continue
        data = config_map.values.get("data")
        if isinstance(data, dict) and truthy(data.get("enable-network-policy-controller")) is True:
            return True
    return False


_ADDON_ARGS = {"what": STRING, "charts": STRINGS, "eks_addons": STRINGS, "kinds": STRINGS, "provisioners": STRINGS,
               "workloads": PATTERNS, "off_when": MAPPING}
_ADDON_READS = ("helm_release, aws_eks_addon, HelmRelease and add-on manifests that can serve the cluster: its own "
                "root module, a root module without a cluster, Kubernetes manifests",)

ADDONS: dict[str, PredicateSpec] = {
    "addon_present": spec(addon_present, optional=_ADDON_ARGS, reads=_ADDON_READS),
    "eks_network_policy": spec(eks_network_policy, optional=_ADDON_ARGS, reads=_ADDON_READS),
}
