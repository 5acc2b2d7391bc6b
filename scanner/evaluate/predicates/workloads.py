"""Kubernetes workload predicates: container settings that fall back to the pod's, namespace-wide network
isolation, disruption budgets, replicas and autoscalers, TLS on Ingresses and Gateway routes, AppArmor
annotations."""
from __future__ import annotations

from typing import Any

from scanner.evaluate.context import Context
from scanner.evaluate.operators import OPERATORS
from scanner.evaluate.predicates.spec import ANY, INTEGER, STRING, STRINGS, PredicateSpec, spec
from scanner.evaluate.verdict import PASS, Verdict, fail, unknown
from scanner.model.derive.clusters import first_value
from scanner.model.derive.namespaces import namespace_of, pod_labels, selects
from scanner.model.kubernetes import runs_its_pods
from scanner.model.paths import Match, lookup, resolve
from scanner.model.repository import deployed_together
from scanner.model.resource import Resource
from scanner.registries.portability import image_registries, portability
from scanner.model.values import Unknown, mapping

def effective(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
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
    held = OPERATORS[op](value, args.get("value"))
    if held is None:
        return unknown(f"whether {where} matches the policy's pattern (it could run too long on the value)", path)
    if held:
        return Verdict(True, path, path, f"{where} is {value}")   # the path lets `not` point at it
    return fail(path, f"{where} is {value}")


def environment(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The configured environment (prod/nonprod) is one of `in`: policies that apply only to production."""
    wanted = args.get("in", ["prod"])
    return PASS if ctx.config.environment in wanted else fail("", f"environment is {ctx.config.environment}")


def default_deny_policy(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The namespace (a derived `namespace` resource) has a NetworkPolicy that selects every pod and allows
    no ingress, or every one of its workloads is selected by an ingress NetworkPolicy (so accepts only the
    traffic the policies allow). The finding names the workloads no policy selects."""
    open_workloads = resource.values.get("open_workloads") or []
    if resource.values.get("default_deny") or not open_workloads:
        return PASS
    total = len(resource.values.get("workloads") or [])
    shown = ", ".join(open_workloads[:3]) + (f" and {len(open_workloads) - 3} more" if len(open_workloads) > 3 else "")
    which = "its workloads" if len(open_workloads) == total else f"{len(open_workloads)} of its {total} workloads"
    unnamed = "" if resource.values.get("named", True) else \
        "; none of them sets metadata.namespace, so they go to the namespace they are applied to (default unless " \
        "kubectl or helm is told another)"
    return fail("", f"no ingress NetworkPolicy selects {which} ({shown}), so they accept traffic from any pod "
                    f"in the cluster{unnamed}")


def host_path_volumes(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The pod mounts no hostPath volume. One finding per pod, at its first hostPath volume, naming
    them all: the fact is that the pod reaches into the node."""
    found = [m for m in resolve(resource, "pod.volumes[*]") if isinstance(m.value, dict) and m.value.get("hostPath")]
    if not found:
        return PASS
    shown = ", ".join(f"{m.value.get('name', '?')} ({mapping(m.value['hostPath']).get('path', '?')})" for m in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return Verdict(False, f"{found[0].location}.hostPath", "pod.volumes", f"{shown}{more}")


HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def host_namespaces(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The pod shares none of the node's network, PID and IPC namespaces. One finding per pod, at the first
    shared one, naming them all: one Pod Security Standards control with one remedy."""
    shared = [m for field in HOST_NAMESPACES for m in resolve(resource, f"pod.{field}")
              if OPERATORS["truthy"](m.value, None)]
    if not shared:
        return PASS
    return Verdict(False, shared[0].location, "pod.host_namespaces",
                   ", ".join(f"{m.location.rsplit('.', 1)[-1]} = true" for m in shared))


APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def apparmor_annotations(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """No legacy AppArmor annotation of the pod (container.apparmor.security.beta.kubernetes.io/<container>)
    asks for a profile outside the PSS baseline's runtime/default and localhost/<profile>: in practice,
    unconfined. The annotation sits in the pod metadata, which `pod.` paths (the pod spec) do not reach."""
    path = _pod_metadata_path(resource)
    if path is None:
        return PASS
    annotations = first_value(resource, f"{path}.annotations")
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


def disruption_budget(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """A PodDisruptionBudget in the namespace, deployed with the workload (the same rendered build, or
    among the plain manifests of its repository), selects the workload's pods. An Argo Rollout with a
    workloadRef is judged on the Deployment it names, whose template its pods have."""
    if resource.kind != "kubernetes" or not runs_its_pods(resource):
        return PASS
    labels = pod_labels(resource)
    namespace = namespace_of(resource)
    for budget in ctx.of_type(["PodDisruptionBudget"]):
        if budget.kind != "kubernetes" or namespace_of(budget) != namespace or \
                not deployed_together(budget, resource, ctx.repositories()):
            continue
        spec = mapping(budget.values.get("spec"))
        if selects(spec.get("selector"), labels):
            return PASS
    return fail("", "no PodDisruptionBudget selects its pods")


def replicated(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """The workload keeps at least `min` replicas: spec.replicas, or the minReplicas of a HorizontalPodAutoscaler
    deployed with it (the same rendered build, or among the plain manifests of its repository); with `autoscaled`, any such
    HorizontalPodAutoscaler that scales it passes (it scales horizontally). With `serving`, only workloads
    something reaches are judged (a container port, or a Service selecting the pods): a traffic generator
    or a client that nothing calls gains no availability from a second replica."""
    if resource.kind != "kubernetes" or not resource.pod_spec_path:
        return PASS    # not an object that runs pods (OpenKruise's Rollout is a release strategy)
    minimum = int(args.get("min", 2))
    spec = mapping(resource.values.get("spec"))
    replicas = spec.get("replicas")
    if replicas is None:       # absent or written without a value: Kubernetes runs one
        replicas = 1
    number = isinstance(replicas, int) and not isinstance(replicas, bool)   # else a template not filled in
    if number and (replicas >= minimum or replicas == 0):
        return PASS    # 0: switched off on purpose, not a single replica
    namespace = namespace_of(resource)
    if args.get("serving") and not _serves(resource, namespace, ctx):
        return PASS
    hpa = _autoscaler(resource, namespace, ctx)
    floor = None if hpa is None else mapping(hpa.values.get("spec")).get("minReplicas", 1)
    if hpa is not None and (args.get("autoscaled") or isinstance(floor, int) and floor >= minimum):
        return PASS
    if not number:
        return unknown("spec.replicas (not a number)", "spec.replicas")
    shown = f"spec.replicas is {replicas}" if spec.get("replicas") is not None else "spec.replicas is not set (1)"
    if hpa is not None:
        why = f"its HorizontalPodAutoscaler {hpa.name} allows {floor}"
    else:
        why = "no HorizontalPodAutoscaler " + ("scales it" if args.get("autoscaled") else f"keeps {minimum} or more")
    return fail("spec.replicas", f"{shown} and {why}{_data_store(resource)}")


def _autoscaler(resource: Resource, namespace: str, ctx: Context) -> Resource | None:
    """The HorizontalPodAutoscaler deployed with the workload (the same build, or the plain manifests) that
    scales it."""
    for hpa in ctx.of_type(["HorizontalPodAutoscaler"]):
        if hpa.kind != "kubernetes" or namespace_of(hpa) != namespace or \
                not deployed_together(hpa, resource, ctx.repositories()):
            continue
        target = mapping(mapping(hpa.values.get("spec")).get("scaleTargetRef"))
        if target.get("kind") == resource.type and target.get("name") == resource.name:
            return hpa
    return None


def _data_store(resource: Resource) -> str:
    """What to say of a workload whose container runs a data store that keeps its state in the pod (the
    portability registry's data_store_images): more replicas are more separate copies of the data."""
    registries, stores = image_registries(), portability().data_store_images
    for match in resolve(resource, "pod.containers[*].image"):
        if isinstance(match.value, str) and not registries.placeholder(match.value):
            name = registries.reference(match.value.strip())[1].rsplit("/", 1)[-1]
            if name in stores:
                return (f"; it runs {name}, a data store that keeps its state in the pod: a second replica would "
                        f"be a second copy of the data, so replicate it with the engine's own replication (an "
                        f"operator, or a managed service) or accept it as a single point of failure")
    return ""


def _serves(resource: Resource, namespace: str, ctx: Context) -> bool:
    """Something reaches the workload's pods: a container declares a port, or a Service in its namespace
    selects them. What cannot be read (a templated container list) counts as serving."""
    containers = next((m.value for m in resolve(resource, "pod.containers")), None)
    if not isinstance(containers, list):
        return True
    if any(not isinstance(c, dict) or c.get("ports") for c in containers):
        return True
    labels = pod_labels(resource)
    for service in ctx.of_type(["Service"]):
        if service.kind != "kubernetes" or namespace_of(service) != namespace:
            continue
        selector = mapping(service.values.get("spec")).get("selector")
        if isinstance(selector, Unknown) or selects({"matchLabels": selector}, labels):
            return True
    return False


# Ingress controllers that terminate TLS with a certificate named in an annotation instead of spec.tls:
# (certificate annotation, how the controller is told to redirect or refuse plain HTTP).
_GKE_CERTIFICATES = ("networking.gke.io/managed-certificates", "ingress.gcp.kubernetes.io/pre-shared-cert")
_GKE_FRONTEND_CONFIG = "networking.gke.io/v1beta1.FrontendConfig"
_ALB_CERTIFICATE = "alb.ingress.kubernetes.io/certificate-arn"
_APPGW_CERTIFICATE = "appgw.ingress.kubernetes.io/appgw-ssl-certificate"


def ingress_tls(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An Ingress serves HTTPS only: spec.tls, or a certificate its controller takes from an annotation
    (GKE managed or pre-shared certificates, an AWS load balancer certificate ARN, an Application Gateway
    certificate) together with what makes that controller redirect or refuse plain HTTP (a GKE FrontendConfig
    with redirectToHttps, kubernetes.io/ingress.allow-http false, the ALB or Application Gateway ssl-redirect
    annotation). A FrontendConfig outside the scanned manifests cannot be judged."""
    if mapping(resource.values.get("spec")).get("tls"):
        return PASS
    annotations = mapping(mapping(resource.values.get("metadata")).get("annotations"))
    certificate = next((str(annotations[k]) for k in (*_GKE_CERTIFICATES, _ALB_CERTIFICATE, _APPGW_CERTIFICATE)
                        if annotations.get(k)), "")
    if not certificate:
        return fail("spec.tls", "it has no spec.tls and no certificate annotation of its ingress controller")
    if str(annotations.get("kubernetes.io/ingress.allow-http", "")).lower() == "false" or \
            annotations.get("alb.ingress.kubernetes.io/ssl-redirect") or \
            str(annotations.get("appgw.ingress.kubernetes.io/ssl-redirect", "")).lower() == "true":
        return PASS
    name = annotations.get(_GKE_FRONTEND_CONFIG)
    if name:
        config = next((c for c in ctx.of_type(["FrontendConfig"]) if c.kind == "kubernetes" and c.name == name
                       and namespace_of(c) == namespace_of(resource)), None)
        if config is None:
            return unknown(f"FrontendConfig {name} (not in the scanned manifests)", "metadata.annotations")
        redirect = mapping(mapping(config.values.get("spec")).get("redirectToHttps"))
        if str(redirect.get("enabled")).lower() == "true":
            return PASS
    return fail("metadata.annotations", f"it serves HTTPS with certificate {certificate} but also plain HTTP: "
                                        f"nothing redirects HTTP to HTTPS")


_TLS_PROTOCOLS = ("HTTPS", "TLS")


def route_tls(resource: Resource, args: dict[str, Any], ctx: Context, base: Match | None = None) -> Verdict:
    """An HTTPRoute is served over TLS: it attaches to an HTTPS/TLS listener of its Gateway, or it only
    redirects to https. Gateways outside the scanned manifests cannot be judged."""
    spec = mapping(resource.values.get("spec"))
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


def _redirects_to_https(spec: dict[str, Any]) -> bool:
    rules = spec.get("rules") or []
    if not rules:
        return False
    for rule in rules:
        filters = rule.get("filters") if isinstance(rule, dict) else None
        redirect = [f.get("requestRedirect") for f in filters or [] if isinstance(f, dict)]
        if not any(isinstance(r, dict) and r.get("scheme") == "https" for r in redirect):
            return False
    return True


def _gateway(ref: dict[str, Any], namespace: str, ctx: Context) -> Resource | None:
    wanted = ref.get("namespace") or namespace
    for gateway in ctx.of_type(["Gateway"]):
        if gateway.kind == "kubernetes" and gateway.name == ref.get("name") and namespace_of(gateway) == wanted:
            return gateway
    return None


WORKLOADS: dict[str, PredicateSpec] = {
    "effective": spec(effective, required={"path": STRING}, optional={"op": STRING, "value": ANY}),
    "environment": spec(environment, optional={"in": STRINGS}),
    "default_deny_policy": spec(default_deny_policy, reads=("namespace (derived)",), derived=("namespaces",)),
    "disruption_budget": spec(disruption_budget, reads=("PodDisruptionBudgets in the namespace",)),
    "replicated": spec(replicated, optional={"min": INTEGER, "autoscaled": {"type": "boolean"},
                                             "serving": {"type": "boolean"}},
                       reads=("HorizontalPodAutoscalers and Services in the namespace",),
                       registries=("portability", "image-registries")),
    "route_tls": spec(route_tls, reads=("the route's Gateways",)),
    "ingress_tls": spec(ingress_tls, reads=("GKE FrontendConfigs",)),
    "apparmor_annotations": spec(apparmor_annotations),
    "host_path_volumes": spec(host_path_volumes),
    "host_namespaces": spec(host_namespaces),
}
