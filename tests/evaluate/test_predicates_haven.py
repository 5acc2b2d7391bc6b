"""Haven predicates: clusters judged together with their node pools, registries as data, workloads across
manifests, live HCC results, and the per-cluster summary."""
from __future__ import annotations

import base64
import datetime
import re

import pytest

from scanner.config import Config
from scanner.model.derive.clusters import CLUSTERS
from scanner.pack import builtin_policy_dir
from scanner.registries import document
from scanner.registries.kubernetes import HARDENED, hcc_checks


def ids(results) -> list[tuple[str, str]]:
    return sorted((f.policy_id, f.address) for f in results)


AKS = '''
resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name       = "system"
    node_count = %s
    zones      = %s
  }
}
'''


# --- clusters and their pools ---------------------------------------------------------------------


def test_pools_link_to_their_cluster_through_a_helper_resource(write, run_scan):
    """terraform-aws-eks passes the cluster name to its node groups through a time_sleep resource."""
    root = write({"main.tf": '''
resource "aws_eks_cluster" "this" {
  count = 1
  name  = "eks"
}
resource "time_sleep" "this" {
  count    = 1
  triggers = { name = aws_eks_cluster.this[0].id }
}
resource "aws_eks_node_group" "workers" {
  cluster_name = time_sleep.this[0].triggers["name"]
  scaling_config {
    min_size = 1
  }
}
'''})
    result = run_scan(root, only=("HAVEN-003",))
    assert [f.message.split(": ", 2)[-1] for f in result.findings] == [
        "the node pools keep at least 1 node (aws_eks_node_group.workers: 1), 3 needed"]


def test_zones_of_all_pools_count_together(write, run_scan, tmp_path):
    single = run_scan(write({"main.tf": AKS % ("3", '["1"]')}, tmp_path / "single"), only=("HAVEN-001",))
    assert ids(single.findings) == [("HAVEN-001", "azurerm_kubernetes_cluster.aks")]
    spread = run_scan(write({"main.tf": AKS % ("3", '["1"]') + '''
resource "azurerm_kubernetes_cluster_node_pool" "b" {
  name                  = "b"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  zones                 = ["2"]
}
'''}, tmp_path / "spread"), only=("HAVEN-001",))
    assert spread.findings == [] and spread.passes == 1


def test_unknown_zones_stay_unresolved(write, run_scan, tmp_path):
    root = write({"main.tf": AKS % ("3", "var.zones") + 'variable "zones" {}\n'}, tmp_path / "u")
    result = run_scan(root, only=("HAVEN-001",))
    assert result.findings == [] and ids(result.unresolved) == [("HAVEN-001", "azurerm_kubernetes_cluster.aks")]


EKS_SUBNETS = '''
variable "a" {}
variable "b" {}
variable "all" {}
resource "aws_eks_cluster" "eks" {
  name = "eks"
}
resource "aws_eks_node_group" "workers" {
  cluster_name = aws_eks_cluster.eks.name
  subnet_ids   = %s
}
'''


@pytest.mark.parametrize("subnets, state", [
    ("[var.a]", "fail"),               # one subnet lies in one zone, whichever it is
    ("[var.a, var.a]", "unresolved"),  # two entries may name two subnets in two zones
    ("[var.a, var.b]", "unresolved"),
    ("var.all", "unresolved"),         # a list of unknown length
])
def test_unknown_subnets_fail_only_when_too_few_to_span_the_zones(write, run_scan, tmp_path, subnets, state):
    result = run_scan(write({"main.tf": EKS_SUBNETS % subnets}, tmp_path / "s"), only=("HAVEN-001",))
    assert (len(result.findings), len(result.unresolved)) == ((1, 0) if state == "fail" else (0, 1))
    if state == "fail":
        assert result.findings[0].message.endswith("(only 1 subnet set)")


def test_known_nodes_enough_even_when_another_pool_is_unknown(write, run_scan, tmp_path):
    root = write({"main.tf": AKS % ("3", '["1", "2"]') + '''
variable "count_b" {}
resource "azurerm_kubernetes_cluster_node_pool" "b" {
  name                  = "b"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  node_count            = var.count_b
}
'''}, tmp_path / "k")
    result = run_scan(root, only=("HAVEN-003",))
    assert result.findings == [] and result.unresolved == [] and result.passes == 1


def test_too_few_known_nodes_with_an_unknown_pool_is_unresolved(write, run_scan, tmp_path):
    root = write({"main.tf": AKS % ("1", '["1", "2"]') + '''
variable "count_b" {}
resource "azurerm_kubernetes_cluster_node_pool" "b" {
  name                  = "b"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  node_count            = var.count_b
}
'''}, tmp_path / "k")
    result = run_scan(root, only=("HAVEN-003",))
    assert result.findings == [] and ids(result.unresolved) == [("HAVEN-003", "azurerm_kubernetes_cluster.aks")]


@pytest.mark.parametrize("location, node_count, expected", [
    ("europe-west4", 1, []),                 # regional: one node in each of three zones
    ("europe-west4-a", 2, ["HAVEN-003"]),   # zonal: two nodes
    ("europe-west4-a", 3, []),
])
def test_gke_counts_nodes_per_zone(write, run_scan, tmp_path, location, node_count, expected):
    root = write({"main.tf": f'''
resource "google_container_cluster" "gke" {{
  name     = "gke"
  location = "{location}"
  node_pool {{
    name       = "pool"
    node_count = {node_count}
  }}
}}
'''}, tmp_path / f"{location}-{node_count}")
    assert [f.policy_id for f in run_scan(root, only=("HAVEN-003",)).findings] == expected


def test_a_cluster_without_any_pool_in_the_code_is_not_judged(write, run_scan):
    root = write({"main.tf": 'resource "aws_eks_cluster" "eks" {\n  name = "eks"\n}\n'})
    result = run_scan(root, only=("HAVEN-001", "HAVEN-003"))
    assert result.findings == []
    assert {f.policy_id for f in result.unresolved} == {"HAVEN-001", "HAVEN-003"}
    assert all("none are in the scanned code" in f.message for f in result.unresolved)


# --- registries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version, verdict", [("1.34", "pass"), ("1.33", "open"), ("1.32.9", "fail"), ("v1.36.1", "pass"),
                                              ("1.40", "pass"), ("2.0", "pass")])
def test_kubernetes_version_window_comes_from_the_dated_table(write, run_scan, tmp_path, version, verdict):
    table = document("kubernetes-versions")
    assert table["latest_stable"] == "1.36" and table["max_minors_behind"] == 3 and table["as_of"] == "2026-06-15"
    root = write({"main.tf": f'resource "aws_eks_cluster" "e" {{\n  version = "{version}"\n}}\n'}, tmp_path / version)
    # the scan's date is five months after the table's: a minor may have come out since, so 1.33, at the
    # window's edge by the table, may be outside it now
    result = run_scan(root, only=("HAVEN-004",))
    assert ("fail" if result.findings else "open" if result.unresolved else "pass") == verdict


def test_an_unreadable_version_is_unresolved(write, run_scan):
    root = write({"main.tf": 'resource "scaleway_k8s_cluster" "k" {\n  version = "latest"\n}\n'})
    result = run_scan(root, only=("HAVEN-004",))
    assert result.findings == [] and [f.policy_id for f in result.unresolved] == ["HAVEN-004"]


def test_node_images_the_registry_has_not_confirmed_stay_unresolved(write, run_scan):
    root = write({"main.tf": '''
resource "aws_eks_cluster" "eks" {
  name = "eks"
}
resource "aws_eks_node_group" "al2023" {
  cluster_name = aws_eks_cluster.eks.name
  ami_type     = "AL2023_x86_64_STANDARD"
}
'''})
    result = run_scan(root, only=("HAVEN-009",))
    assert result.findings == []
    assert ids(result.unresolved) == [("HAVEN-009", "aws_eks_node_group.al2023")]
    assert "node-os registry" in result.unresolved[0].message


def test_registries_carry_a_date_and_sources():
    for name in ("kubernetes-versions", "node-os"):
        data = document(name)
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", str(data["as_of"])) and data["sources"], name
    for cluster, table in document("node-os")["clusters"].items():
        assert cluster in CLUSTERS
        values = set(map(str.lower, map(str, (table.get("images") or {}).values())))
        values |= set(map(str.lower, map(str, (table.get("prefixes") or {}).values())))
        assert values <= set(HARDENED) | {"none", "unverified"}, cluster


# --- add-ons ----------------------------------------------------------------------------------------


def test_addon_found_as_an_oci_chart_anywhere_in_the_scan(write, run_scan):
    root = write({"eks/main.tf": 'resource "aws_eks_cluster" "e" {\n  name = "e"\n}\n',
                  "platform/addons.tf": '''
resource "helm_release" "cm" {
  name  = "cert-manager"
  chart = "oci://quay.io/jetstack/charts/cert-manager"
}
'''})
    result = run_scan(root, only=("HAVEN-011",))
    assert result.findings == [] and result.passes == 1


def test_a_helm_release_with_an_unknown_chart_makes_an_absent_addon_unresolved(write, run_scan):
    root = write({"main.tf": '''
variable "chart" {}
resource "aws_eks_cluster" "e" {
  name = "e"
}
resource "helm_release" "something" {
  name  = "x"
  chart = var.chart
}
'''})
    result = run_scan(root, only=("HAVEN-020",))
    assert result.findings == [] and [f.policy_id for f in result.unresolved] == ["HAVEN-020"]


# --- workloads --------------------------------------------------------------------------------------

DEPLOYMENT = '''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
  namespace: %s
spec:
  replicas: 2
  selector:
    matchLabels: {app: %s}
  template:
    metadata:
      labels: {app: %s}
    spec:
      containers:
        - name: app
          image: app:1
'''


def test_default_deny_is_reported_once_per_namespace(write, run_scan):
    root = write({"a.yaml": DEPLOYMENT % ("a", "one", "a", "a") + "---" + DEPLOYMENT % ("b", "one", "b", "b"),
                  "b.yaml": DEPLOYMENT % ("c", "two", "c", "c")})
    result = run_scan(root, only=("WL-021",))
    assert ids(result.findings) == [("WL-021", "namespace/one"), ("WL-021", "namespace/two")]
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in result.findings] == [("a.yaml", 4), ("b.yaml", 4)]


def test_default_deny_names_deployed_workloads_first_and_leaves_host_network_pods_out(write, run_scan, tmp_path):
    """No NetworkPolicy governs a pod on the node's network, so a default-deny policy cannot isolate it (WL-001
    judges the host network); the workloads named are those outside demonstration code first, and the finding
    stands at the first of those, keeping its level."""
    host = DEPLOYMENT.replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:")
    only_host = write({"agent.yaml": host % ("agent", "one", "agent", "agent")}, tmp_path / "host")
    assert run_scan(only_host, only=("WL-021",)).findings == []
    mixed = write({"_archived/a.yaml": DEPLOYMENT % ("aa-old", "one", "aa", "aa"),
                   "_archived/h.yaml": host % ("ab-agent", "one", "ab", "ab"),
                   "apps/web.yaml": DEPLOYMENT % ("web", "one", "web", "web")}, tmp_path / "mixed")
    (finding,) = run_scan(mixed, only=("WL-021",)).findings
    assert "no ingress NetworkPolicy selects 2 of its 3 workloads (Deployment/one/web, Deployment/one/aa-old)" in \
        finding.message
    assert (finding.path, finding.level) == ("apps/web.yaml", "warning")
    # the only open workload is an archived example's: the finding stands there, a note
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: one\n"
              "spec:\n  podSelector:\n    matchLabels: {app: web}\n  policyTypes: [Ingress]\n")
    selected = write({"_archived/a.yaml": DEPLOYMENT % ("aa-old", "one", "aa", "aa"),
                      "apps/web.yaml": DEPLOYMENT % ("web", "one", "web", "web"), "apps/policy.yaml": policy},
                     tmp_path / "selected")
    (finding,) = run_scan(selected, only=("WL-021",)).findings
    assert (finding.path, finding.level) == ("_archived/a.yaml", "note")


def test_disruption_budget_is_required_in_production_only(write, run_scan):
    root = write({"app.yaml": DEPLOYMENT % ("api", "zaken", "api", "api")})
    prod = run_scan(root, only=("WL-042",))
    assert [f.message for f in prod.findings] == [
        "Deployment/zaken/api: no PodDisruptionBudget selects its pods, so in production a node drain can stop all "
        "its replicas at once"]
    nonprod = run_scan(root, only=("WL-042",), config=Config(environment="nonprod"))
    assert nonprod.findings == [] and nonprod.checks == 0    # outside production the rule does not apply


def test_pod_level_security_context_counts_for_every_container(write, run_scan):
    root = write({"pod.yaml": '''
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: a
      image: a:1
    - name: b
      image: b:1
      securityContext:
        runAsUser: 0
'''})
    result = run_scan(root, only=("WL-030", "WL-031"))
    assert [(f.policy_id, f.message) for f in result.findings] == [
        ("WL-030", "Pod/default/p: container b may run as root: securityContext.runAsUser is 0")]


def test_route_to_a_gateway_outside_the_manifests_is_unresolved(write, run_scan):
    root = write({"route.yaml": '''
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  parentRefs:
    - name: shared-gateway
      namespace: infra
'''})
    result = run_scan(root, only=("WL-022",))
    assert result.findings == [] and "shared-gateway" in result.unresolved[0].message


# --- live results and the summary ----------------------------------------------------------------


def policy_names(path) -> list[str]:
    return re.findall(r"value: (\w+)}", path.read_text("utf-8"))


def test_catch_all_live_rule_leaves_out_exactly_the_checks_with_a_rule_of_their_own():
    folder = builtin_policy_dir() / "haven"
    dedicated = sorted(n for i in range(101, 119) for n in policy_names(folder / f"HAVEN-{i}.yaml"))
    listed = re.search(r"not_in?, value: \[([^\]]*)\]|op: in, value: \[([^\]]*)\]",
                       (folder / "HAVEN-100.yaml").read_text("utf-8"))
    catch_all = sorted(n.strip() for n in (listed.group(1) or listed.group(2)).split(","))
    assert catch_all == dedicated and len(dedicated) == 18


def test_static_policies_name_known_hcc_checks(catalogue):
    named = {p.haven_check for p in catalogue if p.family == "haven" and p.haven_check}
    assert named <= {c.name for c in hcc_checks()}
    assert named >= {"multiaz", "hamasters", "haworkers", "nodehardening", "privatenetworking",
                     "kubernetesversion", "rbac", "rwxvolumes", "autocerts", "logs", "metrics"}


def test_summary_counts_a_failing_pool_against_its_cluster(write, run_scan):
    root = write({"main.tf": AKS % ("3", '["1", "2", "3"]') + '''
resource "azurerm_kubernetes_cluster_node_pool" "public" {
  name                   = "public"
  kubernetes_cluster_id  = azurerm_kubernetes_cluster.aks.id
  node_count             = 1
  node_public_ip_enabled = true
}
'''})
    result = run_scan(root, only=("HAVEN-001", "HAVEN-003", "HAVEN-006"))
    (cluster,) = result.haven.clusters
    assert cluster.address == "azurerm_kubernetes_cluster.aks"
    assert cluster.labels("pass") == ["Multiple availability zones in use", "Running at least 3 worker nodes"]
    assert cluster.labels("fail") == ["Private networking topology"]
    assert (cluster.count("pass"), cluster.total) == (2, 15)     # HCC v12.8.0's own 15 mandatory checks
    assert cluster.labels("cannot") == ["Self test: HCC version is latest major or within 3 months upgrade window",
                                        "Self test: does HCC have cluster-admin", "CNCF Kubernetes Conformance",
                                        "SHA has been validated"]
    assert "Basic auth is disabled" not in dict(cluster.checks) and cluster.count("unchecked") == 8


def test_summary_names_every_mandatory_check_in_hccs_order(write, run_scan):
    result = run_scan(write({"main.tf": AKS % ("3", '["1", "2", "3"]')}), only=("haven",))
    (cluster,) = result.haven.clusters
    assert [label for label, _ in cluster.checks] == [c.label for c in hcc_checks() if not c.suggested]
    assert [c.name for c in hcc_checks() if c.suggested] == ["cis", "kubescape"]
    assert cluster.total == 15 and cluster.count("cannot") == 4


def test_summary_leaves_out_checks_whose_condition_excludes_the_cluster(write, run_scan):
    root = write({"main.tf": 'resource "google_container_cluster" "ap" {\n  location = "europe-west4"\n'
                             '  enable_autopilot = true\n}\n'})
    result = run_scan(root, only=("HAVEN-002", "HAVEN-003"))
    checks = dict(result.haven.clusters[0].checks)
    assert checks["Running at least 3 master nodes"] == "pass"
    assert checks["Running at least 3 worker nodes"] == "unchecked"   # Autopilot: Google runs the nodes


def test_a_repository_that_manages_no_addons_leaves_addon_checks_undecided(write, run_scan, tmp_path):
    """A cluster module (or a cluster-only repository) leaves add-ons to GitOps elsewhere: no finding."""
    cluster = 'resource "aws_eks_cluster" "e" {\n  name = "e"\n}\n'
    alone = run_scan(write({"main.tf": cluster}, tmp_path / "alone"), only=("HAVEN-011", "HAVEN-020"))
    assert alone.findings == [] and {f.policy_id for f in alone.unresolved} == {"HAVEN-011", "HAVEN-020"}
    assert [f.message for f in alone.unresolved if f.policy_id == "HAVEN-011"] == [
        "aws_eks_cluster.e: could not verify HTTPS certificates are provisioned automatically: which add-ons it "
        "runs (the scanned code manages none: no Helm release, EKS add-on or add-on manifest) is not known statically"]
    gke = run_scan(write({"main.tf": 'resource "google_container_cluster" "g" {\n  name = "g"\n}\n'},
                         tmp_path / "gke"), only=("HAVEN-010",))
    assert [f.message for f in gke.unresolved] == [   # no EKS wording on another cloud; the title keeps its capitals
        "google_container_cluster.g: could not verify ReadWriteMany volumes can be provisioned: which add-ons it "
        "runs (the scanned code manages none: no Helm release or add-on manifest) is not known statically"]
    managed = run_scan(write({"main.tf": cluster + 'resource "aws_eks_addon" "dns" {\n  cluster_name = "e"\n'
                                                   '  addon_name   = "coredns"\n}\n'}, tmp_path / "managed"),
                       only=("HAVEN-011", "HAVEN-020"))
    assert {f.policy_id for f in managed.findings} == {"HAVEN-011", "HAVEN-020"}


# --- NetworkPolicy enforcement on EKS (WL-020) -------------------------------------------------

EKS = 'resource "aws_eks_cluster" "e" {\n  name = "e"\n}\n'
VPC_CNI = '''
resource "aws_eks_addon" "cni" {
  cluster_name = aws_eks_cluster.e.name
  addon_name   = "vpc-cni"
%s
}
'''


def test_eks_without_managed_addons_leaves_network_policy_undecided(write, run_scan):
    result = run_scan(write({"main.tf": EKS}), only=("WL-020",))
    assert result.findings == [] and ids(result.unresolved) == [("WL-020", "aws_eks_cluster.e")]


@pytest.mark.parametrize("config, state", [
    ('configuration_values = jsonencode({ enableNetworkPolicy = "true" })', "pass"),
    ('configuration_values = "{\\"enableNetworkPolicy\\": \\"true\\"}"', "pass"),
    ('configuration_values = "enableNetworkPolicy: true"', "pass"),   # YAML is accepted too
    ('configuration_values = jsonencode({ enableNetworkPolicy = "false" })', "fail"),
    ("", "fail"),
    ("configuration_values = var.cni_config", "open"),
])
def test_eks_vpc_cni_counts_only_with_its_network_policy_agent(write, run_scan, config, state):
    variable = 'variable "cni_config" {\n  type = string\n}\n'
    result = run_scan(write({"main.tf": EKS + variable + VPC_CNI % config}), only=("WL-020",))
    seen = "fail" if result.findings else "open" if result.unresolved else "pass"
    assert seen == state


def test_eks_network_policy_from_calico_or_the_auto_mode_configmap(write, run_scan, tmp_path):
    calico = write({"main.tf": EKS + VPC_CNI % "" + '''
resource "helm_release" "calico" {
  name       = "calico"
  repository = "https://docs.tigera.io/calico/charts"
  chart      = "tigera-operator"
}
'''}, tmp_path / "calico")
    configmap = write({"main.tf": EKS + VPC_CNI % "", "cni.yaml": '''
apiVersion: v1
kind: ConfigMap
metadata:
  name: amazon-vpc-cni
  namespace: kube-system
data:
  enable-network-policy-controller: "true"
'''}, tmp_path / "configmap")
    for root in (calico, configmap):
        result = run_scan(root, only=("WL-020",))
        assert result.findings == [] and result.unresolved == [], root


# --- AppArmor annotations (WL-006) -------------------------------------------------------------

APPARMOR_POD = '''
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: %s
    container.apparmor.security.beta.kubernetes.io/b: %s
spec:
  containers:
    - {name: a, image: a:1}
    - {name: b, image: b:1}
'''


@pytest.mark.parametrize("first, second, unconfined", [
    ("runtime/default", "localhost/custom", None),
    ("runtime/default", "unconfined", "b"),
    ("unconfined", "runtime/default", "a"),
])
def test_apparmor_annotation_names_the_unconfined_container(write, run_scan, first, second, unconfined):
    result = run_scan(write({"pod.yaml": APPARMOR_POD % (first, second)}), only=("WL-006",))
    assert result.unresolved == []
    if unconfined is None:
        assert result.findings == []
        return
    (finding,) = result.findings
    assert finding.attribute.endswith(f"container.apparmor.security.beta.kubernetes.io/{unconfined}")
    assert f"container {unconfined} " in finding.message
    assert finding.line == (7 if unconfined == "a" else 8)


# --- explicitly switched-off log collection (HAVEN-008) ---------------------------------------------
@pytest.mark.parametrize("cluster, kind", [
    ('resource "google_container_cluster" "gke" {\n  name = "gke"\n  logging_service = "none"\n}\n', "findings"),
    ('resource "google_container_cluster" "gke" {\n  name = "gke"\n}\n', "passes"),
    ('resource "azurerm_kubernetes_cluster" "aks" {\n  name = "aks"\n  addon_profile {\n    oms_agent {\n'
     '      enabled = false\n    }\n  }\n}\n', "findings"),
    ('resource "azurerm_kubernetes_cluster" "aks" {\n  name = "aks"\n}\n', "unresolved"),   # a collector may come from elsewhere
])
def test_collection_switched_off_in_the_code_is_a_finding_even_where_no_add_ons_are_managed(write, run_scan, cluster,
                                                                                              kind):
    result = run_scan(write({"main.tf": cluster}), only=("HAVEN-008",))
    outcome = {"findings": len(result.findings), "unresolved": len(result.unresolved), "passes": result.passes}
    assert outcome == {**{"findings": 0, "unresolved": 0, "passes": 0}, kind: 1}


def test_the_switched_off_setting_is_named_where_it_is_written(write, run_scan):
    root = write({"main.tf": 'resource "google_container_cluster" "gke" {\n  name = "gke"\n  logging_service = "none"\n}\n'})
    [finding] = run_scan(root, only=("HAVEN-008",)).findings
    assert (finding.line, finding.message) == (3, 'Haven check "Log aggregation is running" would fail: '
                                                  'google_container_cluster.gke: logging_service = none')


def test_a_switched_off_setting_in_a_repeated_block_is_keyed_as_the_policy_names_it(write, run_scan):
    """The line is the block's where it is now; the fingerprint does not change when a block is added above."""
    root = write({"main.tf": 'resource "azurerm_kubernetes_cluster" "aks" {\n  name = "aks"\n  addon_profile {\n  }\n'
                             '  addon_profile {\n    oms_agent {\n      enabled = false\n    }\n  }\n}\n'})
    [finding] = run_scan(root, only=("HAVEN-008",)).findings
    assert (finding.line, finding.attribute) == (7, "addon_profile.oms_agent.enabled")


def test_an_inline_node_pool_is_keyed_by_its_name(write, run_scan):
    """A pool inserted above leaves a pool's fingerprint; the line is the pool's where it is now."""
    pool = '  node_pool {{\n    name = "{0}"\n    network_config {{\n      enable_private_nodes = {1}\n    }}\n  }}\n'
    text = ('variable "private" {}\nresource "google_container_cluster" "gke" {\n  name = "gke"\n'
            '  location = "europe-west4"\n' + pool.format("spot", "true") + pool.format("main", "var.private") + "}\n")
    [open_check] = run_scan(write({"main.tf": text}), only=("HAVEN-006",)).unresolved
    assert (open_check.line, open_check.attribute) == (line_of(text, "= var.private"),
                                                       "node_pool[name=main].network_config.enable_private_nodes")


# --- GKE version (HAVEN-004) -------------------------------------------------------------------------
@pytest.mark.parametrize("body, kind", [
    ('min_master_version = "1.28"\n', "findings"),                                           # no channel
    ('min_master_version = "1.28"\n  release_channel {\n    channel = "STABLE"\n  }\n', "passes"),
    ('min_master_version = "1.28"\n  release_channel {\n    channel = "EXTENDED"\n  }\n', "findings"),
    ('release_channel {\n    channel = "EXTENDED"\n  }\n', "passes"),                      # no pinned minimum
    ('min_master_version = "latest"\n', "unresolved"),
])
def test_gke_passes_on_an_upgrading_channel_and_otherwise_compares_its_minimum(write, run_scan, body, kind):
    root = write({"main.tf": f'resource "google_container_cluster" "gke" {{\n  name = "gke"\n  {body}}}\n'})
    result = run_scan(root, only=("HAVEN-004",))
    outcome = {"findings": len(result.findings), "unresolved": len(result.unresolved), "passes": result.passes}
    assert outcome == {**{"findings": 0, "unresolved": 0, "passes": 0}, kind: 1}


def test_workloads_that_name_no_namespace_are_said_to_go_where_they_are_applied(write, run_scan):
    """Plain manifests without metadata.namespace go to kubectl's namespace: "namespace default" alone read as
    if they named it."""
    unnamed = DEPLOYMENT.replace("  namespace: %s\n", "")
    root = write({"a.yaml": unnamed % ("a", "a", "a"), "b.yaml": DEPLOYMENT % ("b", "zaken", "b", "b")})
    messages = {f.address: f.message for f in run_scan(root, only=("WL-021",)).findings}
    assert messages["namespace/default"].endswith(
        "in the cluster; none of them sets metadata.namespace, so they go to the namespace they are applied to "
        "(default unless kubectl or helm is told another)")
    assert messages["namespace/zaken"].endswith("so they accept traffic from any pod in the cluster")


def test_a_single_replica_data_store_is_told_to_replicate_with_its_engine(write, run_scan):
    """Two replicas of a redis or mysql Deployment are two separate copies of the data behind one Service:
    the finding says so instead of leaving "set replicas to 2" as the only fix."""
    single = DEPLOYMENT.replace("replicas: 2", "replicas: 1")
    root = write({"db.yaml": single.replace("image: app:1", "image: docker.io/bitnami/postgresql:16.4.0") % (
                      "db", "zaken", "db", "db") + "---" + single % ("api", "zaken", "api", "api")})
    for workload in ("db", "api"):
        (root / f"svc-{workload}.yaml").write_text(
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {workload}\n  namespace: zaken\n"
            f"spec:\n  selector: {{app: {workload}}}\n  ports: [{{port: 80}}]\n")
    messages = {f.address: f.message for f in run_scan(root, only=("WL-010",)).findings}
    assert messages["Deployment/zaken/db"].endswith(
        "no HorizontalPodAutoscaler scales it; it runs postgresql, a data store that keeps its state in the pod: a "
        "second replica would be a second copy of the data, so replicate it with the engine's own replication (an "
        "operator, or a managed service) or accept it as a single point of failure")
    assert messages["Deployment/zaken/api"].endswith("no HorizontalPodAutoscaler scales it")


@pytest.mark.parametrize("released, today, expected", [
    ("2026-04-22", "2026-08-21", 0), ("2026-04-22", "2026-08-22", 1), ("2026-04-22", "2026-12-22", 2),
    ("", "2026-06-15", 0), ("", "2026-06-16", 1),     # without a release date: any day past the table's own
])
def test_the_minors_a_version_table_may_miss_count_from_its_latest_release(released, today, expected):
    from scanner.evaluate.predicates.haven import _minors_since
    from scanner.registries.kubernetes import ReleaseTable
    table = ReleaseTable("2026-06-15", "1.36", (1, 36), 3, released)
    assert _minors_since(table, datetime.date.fromisoformat(today)) == expected


def test_a_cluster_without_node_pools_says_what_runs_its_pods_instead(write, run_scan, tmp_path):
    cluster = 'resource "aws_eks_cluster" "e" {\n  name     = "e"\n  role_arn = "arn"\n  vpc_config {\n    subnet_ids = ["a"]\n  }\n'
    fargate = write({"main.tf": cluster + '}\nresource "aws_eks_fargate_profile" "apps" {\n  cluster_name = "e"\n'
                                          '  fargate_profile_name = "apps"\n}\n'}, tmp_path / "fargate")
    [open_] = run_scan(fargate, only=("HAVEN-003",)).unresolved
    assert open_.message.endswith("its nodes (aws_eks_fargate_profile.apps runs pods on Fargate, on nodes AWS starts "
                                  "for them) is not known statically")
    auto = write({"main.tf": cluster + '  compute_config {\n    enabled    = true\n    node_pools = ["general-purpose"]\n'
                                       '  }\n}\n'}, tmp_path / "auto")
    [open_] = run_scan(auto, only=("HAVEN-003",)).unresolved
    assert "its nodes (EKS Auto Mode starts them as pods need them; the code sets no minimum)" in open_.message
    bare = write({"main.tf": cluster + '}\n'}, tmp_path / "bare")
    [open_] = run_scan(bare, only=("HAVEN-003",)).unresolved
    assert "which node pools it has (none are in the scanned code)" in open_.message
    # an autoscaling group that nothing ties to the cluster is not one of its node groups
    asg = write({"main.tf": cluster + '}\nresource "aws_autoscaling_group" "web" {\n  min_size = 3\n  max_size = 6\n}\n'},
                tmp_path / "asg")
    [open_] = run_scan(asg, only=("HAVEN-003",)).unresolved
    assert "which node pools it has (none are in the scanned code)" in open_.message
    # another cluster's Fargate profile says nothing of this one; an unknown Auto Mode switch is the blocker
    other = write({"main.tf": cluster + '}\nresource "aws_eks_fargate_profile" "apps" {\n  cluster_name = "other"\n}\n'
                   'variable "auto" {}\nresource "aws_eks_cluster" "c" {\n  name     = "c"\n  role_arn = "arn"\n'
                   '  compute_config {\n    enabled = var.auto\n  }\n}\n'}, tmp_path / "other")
    assert sorted(u.message.rsplit(": ", 1)[1] for u in run_scan(other, only=("HAVEN-003",)).unresolved) == [
        "var.auto is not known statically", "which node pools it has (none are in the scanned code) is not known statically"]

SELF_MANAGED = """resource "aws_eks_cluster" "e" {
  name     = "e"
  role_arn = "arn"
  vpc_config {
    subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  }
}
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "b" {
  availability_zone = "eu-west-1b"
}
resource "aws_launch_template" "nodes" {
  image_id  = "ami-0123456789abcdef0"
  user_data = base64encode("/etc/eks/bootstrap.sh ${aws_eks_cluster.e.name}")
}
resource "aws_autoscaling_group" "nodes" {
  min_size            = %s
  max_size            = 6
  vpc_zone_identifier = %s
  launch_template {
    id = aws_launch_template.nodes.id
  }
}
resource "aws_autoscaling_group" "web" {
  min_size = 5
  max_size = 6
}
"""


@pytest.mark.parametrize("min_size, subnets, zones, workers", [
    ("3", "[aws_subnet.a.id, aws_subnet.b.id]", True, True),
    ("1", "[aws_subnet.a.id]", False, False)])
def test_a_self_managed_node_group_counts_for_its_cluster(write, run_scan, tmp_path, min_size, subnets, zones, workers):
    """An autoscaling group whose launch template bootstraps its instances into the cluster is one of its node
    groups: its minimum size and subnets count; another autoscaling group (a web tier) does not. Its image is the
    launch template's AMI, which says nothing of the node OS: unresolved, never a pass."""
    root = write({"main.tf": SELF_MANAGED % (min_size, subnets)}, tmp_path / min_size)
    result = run_scan(root, only=("HAVEN-001", "HAVEN-003", "HAVEN-009"))
    failed = {f.policy_id for f in result.findings if f.address == "aws_eks_cluster.e"}
    assert failed == ({"HAVEN-001"} if not zones else set()) | ({"HAVEN-003"} if not workers else set())
    if not workers:
        (few,) = [f for f in result.findings if f.policy_id == "HAVEN-003"]
        assert "the node pools keep at least 1 node (aws_autoscaling_group.nodes: 1), 3 needed" in few.message
    (os_,) = [u for u in result.unresolved if u.policy_id == "HAVEN-009"]
    assert "the node image of aws_autoscaling_group.nodes (a self-managed group's AMI)" in os_.message


@pytest.mark.parametrize("meta, subnets", [("for_each = toset(var.more)", "[each.value]"),
                                           ("count = var.n", "[var.more[count.index]]")])
def test_a_pool_of_an_unknown_number_of_instances_decides_neither_zones_nor_nodes(write, run_scan, tmp_path, meta,
                                                                                   subnets):
    """One node group per zone, as many as a variable says: one instance's one subnet is not the cluster's."""
    root = write({"main.tf": 'variable "more" {}\nvariable "n" {}\nresource "aws_eks_cluster" "eks" {\n  name = "eks"\n}\n'
                             f'resource "aws_eks_node_group" "g" {{\n  {meta}\n  cluster_name = aws_eks_cluster.eks.name\n'
                             f'  subnet_ids   = {subnets}\n  scaling_config {{\n    min_size = 1\n  }}\n}}\n'}, tmp_path / "m")
    result = run_scan(root, only=("HAVEN-001", "HAVEN-003"))
    assert result.findings == [] and ids(result.unresolved) == [("HAVEN-001", "aws_eks_cluster.eks"),
                                                                ("HAVEN-003", "aws_eks_cluster.eks")]


def test_a_pool_in_a_module_called_an_unknown_number_of_times_decides_neither(write, run_scan, tmp_path):
    root = write({"main.tf": 'variable "zones" {}\nresource "aws_eks_cluster" "eks" {\n  name = "eks"\n}\n'
                             'module "ng" {\n  source   = "./ng"\n  for_each = toset(var.zones)\n'
                             '  cluster  = aws_eks_cluster.eks.name\n  subnet   = each.value\n}\n',
                  "ng/main.tf": 'variable "cluster" {}\nvariable "subnet" {}\nresource "aws_eks_node_group" "g" {\n'
                                '  cluster_name = var.cluster\n  subnet_ids   = [var.subnet]\n'
                                '  scaling_config {\n    min_size = 1\n  }\n}\n'}, tmp_path / "m")
    result = run_scan(root, only=("HAVEN-001", "HAVEN-003"))
    assert result.findings == [] and ids(result.unresolved) == [("HAVEN-001", "aws_eks_cluster.eks"),
                                                                ("HAVEN-003", "aws_eks_cluster.eks")]


BASTION_OR_NODES = """resource "aws_eks_cluster" "e" {
  name     = "e"
  role_arn = "arn"
}
resource "aws_eks_node_group" "g" {
  cluster_name = aws_eks_cluster.e.name
  subnet_ids   = ["subnet-a"]
  scaling_config {
    min_size = 1
  }
}
data "cloudinit_config" "nodes" {
  part {
    content = "apiVersion: node.eks.aws/v1alpha1"
  }
}
resource "aws_launch_template" "t" {
  image_id               = "ami-0123456789abcdef0"
  vpc_security_group_ids = [aws_eks_cluster.e.vpc_config[0].cluster_security_group_id]
  %s
}
resource "aws_autoscaling_group" "x" {
  min_size = 5
  max_size = 6
  launch_template {
    id = aws_launch_template.t.id
  }
}
"""


@pytest.mark.parametrize("user_data, outcome", [
    # a web tier in the cluster's security group, without user data: its five instances are no worker nodes
    ("", "fail"),
    # a bastion names the cluster but joins no node to it
    ('user_data = base64encode("aws eks update-kubeconfig --name ${aws_eks_cluster.e.name}")', "fail"),
    # the AL2 bootstrap script, base64-encoded as a launch template takes it
    ('user_data = base64encode("/etc/eks/bootstrap.sh ${aws_eks_cluster.e.name}")', "pass"),
    # a Windows node (the EKS Windows AMIs' bootstrap script)
    ('user_data = base64encode("Start-EKSBootstrap.ps1 -EKSClusterName ${aws_eks_cluster.e.name}")', "pass"),
    # cloud-init from a data source: not known statically, and the template uses the cluster's security group
    ("user_data = data.cloudinit_config.nodes.rendered", "open"),
])
def test_what_an_autoscaling_groups_user_data_says_decides_whether_it_joins_the_cluster(write, run_scan, tmp_path,
                                                                                         user_data, outcome):
    root = write({"main.tf": BASTION_OR_NODES % user_data}, tmp_path / (outcome + str(len(user_data))))
    result = run_scan(root, only=("HAVEN-003",))
    found = [("fail", f.message) for f in result.findings] + [("open", u.message) for u in result.unresolved]
    assert [kind for kind, _ in found] == ([] if outcome == "pass" else [outcome])
    if outcome == "open":
        assert "whether aws_autoscaling_group.x joins the cluster (its launch template refers to the cluster, but no " \
               "node bootstrap was found in its user data)" in found[0][1]


def test_user_data_base64_wrapped_over_lines_is_read_as_terraform_reads_it():
    """A launch template's user data is often base64 wrapped at 76 characters: decoded as base64decode does."""
    from scanner.model.derive.clusters import _bootstraps
    from scanner.model.resource import Resource
    wrapped = base64.encodebytes(b"#!/bin/bash\n/etc/eks/bootstrap.sh " + b"x" * 80).decode()
    assert "\n" in wrapped.strip()
    template = Resource("resource", "aws_launch_template", "aws_launch_template.t", "main.tf", 1, {"user_data": wrapped})
    assert _bootstraps(template) is True
    bastion = base64.encodebytes(b"aws eks update-kubeconfig --name " + b"x" * 80).decode()
    assert _bootstraps(Resource("resource", "aws_launch_template", "aws_launch_template.t", "main.tf", 1,
                                {"user_data": bastion})) is False


# --- HAVEN-006 on self-managed node groups ---------------------------------------------------------

SELF_MANAGED_NETWORK = """variable "subnets" {}
variable "public" {}
resource "aws_eks_cluster" "e" {
  name     = "e"
  role_arn = "arn"
}
resource "aws_subnet" "private" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "public" {
  availability_zone       = "eu-west-1b"
  map_public_ip_on_launch = true
}
resource "aws_launch_template" "nodes" {
  name_prefix = "nodes-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("/etc/eks/bootstrap.sh ${aws_eks_cluster.e.name}")
  %s
}
resource "aws_launch_configuration" "public" {
  name                        = "public-nodes"
  image_id                    = "ami-0123456789abcdef0"
  instance_type               = "m5.large"
  user_data                   = "/etc/eks/bootstrap.sh ${aws_eks_cluster.e.name}"
  associate_public_ip_address = true
}
resource "aws_launch_template" "quiet" {
  name = "quiet-nodes"
}
resource "aws_launch_template" "spot" {
  name = "spot-nodes"
  network_interfaces {
    associate_public_ip_address = true
  }
}
resource "aws_autoscaling_group" "nodes" {
  min_size = 3
  max_size = 6
  %s
}
"""
PUBLIC_INTERFACE = "network_interfaces {\n    associate_public_ip_address = true\n  }"
PRIVATE_INTERFACE = "network_interfaces {\n    associate_public_ip_address = false\n  }"
TEMPLATE = "launch_template {\n    id = aws_launch_template.nodes.id\n  }"
MIXED = """vpc_zone_identifier = [aws_subnet.private.id]
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.nodes.id
      }
      override {
        instance_type = "m5.large"
        launch_template_specification {
          %s
        }
      }
    }
  }"""


def line_of(text: str, needle: str) -> int:
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return number


@pytest.mark.parametrize("template, group, kind, at, detail", [
    # the launch template asks for a public IP: at the block that names it, as for a managed group
    (PUBLIC_INTERFACE, f"vpc_zone_identifier = [aws_subnet.private.id]\n  {TEMPLATE}", "fail", "launch_template {",
     "launch template aws_launch_template.nodes sets associate_public_ip_address, so nodes get public IPs"),
    # its subnet maps public IPs on launch
    ("", f"vpc_zone_identifier = [aws_subnet.public.id]\n  {TEMPLATE}", "fail", "vpc_zone_identifier",
     "subnet aws_subnet.public sets map_public_ip_on_launch, so nodes get public IPs"),
    # a launch configuration, named by the name Terraform knows before apply
    ("", "vpc_zone_identifier  = [aws_subnet.private.id]\n  launch_configuration = aws_launch_configuration.public.name",
     "fail", "launch_configuration =",
     "launch configuration aws_launch_configuration.public sets associate_public_ip_address, so nodes get public IPs"),
    # a mixed-instances override that starts some instances from another template, public, or not in the code
    ("", MIXED % "launch_template_name = aws_launch_template.spot.name", "fail", "        launch_template_specification",
     "launch template aws_launch_template.spot sets associate_public_ip_address, so nodes get public IPs"),
    ("", MIXED % 'launch_template_id = "lt-0123456789abcdef0"', "open", "        launch_template_specification",
     "launch template lt-0123456789abcdef0 (not in the scanned code) is not known statically"),
    # private subnets and a template without a public IP
    ("", f"vpc_zone_identifier = [aws_subnet.private.id]\n  {TEMPLATE}", "pass", "", ""),
    # a template that says no public IP overrides a public subnet's default, and the default VPC's
    (PRIVATE_INTERFACE, f"vpc_zone_identifier = [aws_subnet.public.id]\n  {TEMPLATE}", "pass", "", ""),
    (PRIVATE_INTERFACE, TEMPLATE, "pass", "", ""),
    # not when another template it starts instances from says nothing: the subnet decides for those
    (PRIVATE_INTERFACE, MIXED.replace("aws_subnet.private", "aws_subnet.public")
     % "launch_template_name = aws_launch_template.quiet.name", "fail", "vpc_zone_identifier",
     "subnet aws_subnet.public sets map_public_ip_on_launch, so nodes get public IPs"),
    # subnets Terraform only knows at apply time
    ("", f"vpc_zone_identifier = var.subnets\n  {TEMPLATE}", "open", "vpc_zone_identifier",
     "var.subnets is not known statically"),
    # whether the template asks for a public IP is a variable
    ("network_interfaces {\n    associate_public_ip_address = var.public\n  }",
     f"vpc_zone_identifier = [aws_subnet.private.id]\n  {TEMPLATE}", "open", "launch_template {",
     "var.public is not known statically"),
    # no subnets: the default VPC's, whose default subnets may or may not map public IPs
    ("", TEMPLATE, "open", 'resource "aws_autoscaling_group"',
     "the subnets its instances launch in (no vpc_zone_identifier: the default VPC's) is not known statically"),
])
def test_a_self_managed_node_group_gives_its_nodes_no_public_ip(write, run_scan, tmp_path, template, group, kind, at,
                                                                detail):
    text = SELF_MANAGED_NETWORK % (template, group)
    root = write({"main.tf": text}, tmp_path / "m")
    result = run_scan(root, only=("HAVEN-006",))
    outcomes = [("fail", f.path, f.line, f.policy_id, f.address, f.message) for f in result.findings] + \
               [("open", u.path, u.line, u.policy_id, u.address, u.message) for u in result.unresolved]
    if kind == "pass":
        assert outcomes == []
        assert [(p.policy_id, p.address) for p in result.passed] == [("HAVEN-006", "aws_autoscaling_group.nodes")]
        return
    [(found, path, line, policy_id, address, message)] = outcomes
    assert (found, path, line, policy_id, address) == (kind, "main.tf", line_of(text, at), "HAVEN-006",
                                                        "aws_autoscaling_group.nodes")
    assert message.endswith(detail)


BASTION_OR_PUBLIC_NODES = BASTION_OR_NODES.replace(
    '  launch_template {\n    id = aws_launch_template.t.id\n  }\n}\n',
    '  vpc_zone_identifier = [aws_subnet.s.id]\n  launch_template {\n    id = aws_launch_template.t.id\n  }\n}\n'
    'resource "aws_subnet" "s" {\n  availability_zone       = "eu-west-1a"\n  map_public_ip_on_launch = %s\n}\n'
    'resource "aws_subnet" "p" {\n  availability_zone = "eu-west-1b"\n}\n').replace(
    'subnet_ids   = ["subnet-a"]', 'subnet_ids   = [aws_subnet.p.id]')


@pytest.mark.parametrize("user_data, public, outcome", [
    # cloud-init from a data source may bootstrap a node: public IPs are unresolved, private ones pass
    ("user_data = data.cloudinit_config.nodes.rendered", "true", "open"),
    ("user_data = data.cloudinit_config.nodes.rendered", "false", "pass"),
    # a web tier in the cluster's security group (no user data) or a bastion is no node group: not judged
    ("", "true", "none"),
    ('user_data = base64encode("aws eks update-kubeconfig --name ${aws_eks_cluster.e.name}")', "true", "none"),
    # the bootstrap joins it: a node group like any other
    ('user_data = base64encode("/etc/eks/bootstrap.sh ${aws_eks_cluster.e.name}")', "true", "fail"),
])
def test_a_group_that_may_join_the_cluster_is_unresolved_only_where_its_nodes_would_be_public(
        write, run_scan, tmp_path, user_data, public, outcome):
    text = BASTION_OR_PUBLIC_NODES % (user_data, public)
    root = write({"main.tf": text}, tmp_path / f"{outcome}{public}{len(user_data)}")
    result = run_scan(root, only=("HAVEN-006",))
    group = "aws_autoscaling_group.x"
    found = [("fail", f.line, f.message) for f in result.findings if f.address == group] + \
            [("open", u.line, u.message) for u in result.unresolved if u.address == group]
    passed = [p for p in result.passed if p.address == group]
    assert [kind for kind, *_ in found] + ["pass"] * len(passed) == ([] if outcome == "none" else [outcome])
    if outcome in ("open", "fail"):
        assert found[0][1] == line_of(text, "vpc_zone_identifier")
    if outcome == "open":
        assert found[0][2].endswith(
            "whether aws_autoscaling_group.x joins the cluster (its launch template refers to the cluster, but no node "
            "bootstrap was found in its user data); if it does, subnet aws_subnet.s sets map_public_ip_on_launch, so "
            "nodes get public IPs is not known statically")
    # the managed node group in a private subnet passes as before; the cluster's summary is open only where the
    # group that may be its nodes could make it fail, and a pass of that group is no pass of the cluster's
    assert [p.address for p in result.passed if p.address != group] == ["aws_eks_node_group.g"]
    assert [f.address for f in result.findings + result.unresolved if f.address != group] == []
    checks = dict(result.haven.clusters[0].checks)
    assert checks["Private networking topology"] == ("pass" if outcome in ("none", "pass") else outcome)


# A managed node group of the cluster, beside a private self-managed one: its template's network interface, its
# subnet (private or public) and how it names its template.
BESIDE_A_PRIVATE_GROUP = SELF_MANAGED_NETWORK % ("", f"vpc_zone_identifier = [aws_subnet.private.id]\n  {TEMPLATE}")
MANAGED_GROUP = """
variable "template_id" {}
resource "aws_launch_template" "managed" {
  name = "managed"
  network_interfaces {
    %s
  }
}
resource "aws_eks_node_group" "managed" {
  cluster_name = aws_eks_cluster.e.name
  subnet_ids   = [aws_subnet.%s.id]
  launch_template {
    %s
    version = "$Latest"
  }
}
"""
BY_ID = "id      = aws_launch_template.managed.id"


def test_managed_and_self_managed_groups_of_one_cluster_are_each_judged_where_they_are_written(write, run_scan):
    """A managed node group keeps its own outcome beside a self-managed one; the cluster's summary has both."""
    text = BESIDE_A_PRIVATE_GROUP + MANAGED_GROUP % ("associate_public_ip_address = true", "private", BY_ID)
    result = run_scan(write({"main.tf": text}), only=("HAVEN-006",))
    assert [(f.path, f.line, f.policy_id, f.address) for f in result.findings] == [
        ("main.tf", line_of(text, "    id      = aws_launch_template.managed.id") - 1, "HAVEN-006",
         "aws_eks_node_group.managed")]
    assert result.unresolved == []
    assert [(p.policy_id, p.address) for p in result.passed] == [("HAVEN-006", "aws_autoscaling_group.nodes")]
    assert dict(result.haven.clusters[0].checks)["Private networking topology"] == "fail"


def test_a_private_group_that_may_be_the_clusters_nodes_is_no_pass_of_the_cluster(write, run_scan):
    """Its pass says its instances would be private, not that the cluster's nodes are: it may be a web tier."""
    text = BASTION_OR_PUBLIC_NODES.replace('resource "aws_eks_node_group" "g"', 'resource "aws_eks_node_group" "other"') \
        .replace("cluster_name = aws_eks_cluster.e.name", 'cluster_name = "another-cluster"')
    result = run_scan(write({"main.tf": text % ("user_data = data.cloudinit_config.nodes.rendered", "false")}),
                      only=("HAVEN-003", "HAVEN-006"))
    assert sorted((p.policy_id, p.address) for p in result.passed) == [("HAVEN-006", "aws_autoscaling_group.x"),
                                                                        ("HAVEN-006", "aws_eks_node_group.other")]
    checks = dict(result.haven.clusters[0].checks)
    assert (checks["Running at least 3 worker nodes"], checks["Private networking topology"]) == ("open", "unchecked")


@pytest.mark.parametrize("launch_template, kind, detail", [
    # by the name Terraform knows before apply: the template of that name it refers to
    ("name    = aws_launch_template.managed.name", "fail",
     "launch template aws_launch_template.managed sets associate_public_ip_address, so nodes get public IPs"),
    # a template not in the scanned code was a silent pass; it is not known whether it asks for a public IP
    ('id      = "lt-0123456789abcdef0"', "open", "launch template lt-0123456789abcdef0 (not in the scanned code) is "
                                                  "not known statically"),
    ("id      = var.template_id", "open", "var.template_id is not known statically"),
])
def test_a_managed_node_groups_launch_template_is_judged_however_it_is_named(write, run_scan, launch_template, kind,
                                                                              detail):
    text = BESIDE_A_PRIVATE_GROUP + MANAGED_GROUP % ("associate_public_ip_address = true", "private", launch_template)
    result = run_scan(write({"main.tf": text}), only=("HAVEN-006",))
    outcomes = [("fail", f.path, f.line, f.policy_id, f.address, f.message) for f in result.findings] + \
               [("open", u.path, u.line, u.policy_id, u.address, u.message) for u in result.unresolved]
    [(found, path, line, policy_id, address, message)] = outcomes
    assert (found, path, line, policy_id, address) == (kind, "main.tf", line_of(text, launch_template) - 1, "HAVEN-006",
                                                        "aws_eks_node_group.managed")
    assert message.endswith(detail)


@pytest.mark.parametrize("interface, kind", [("associate_public_ip_address = false", "pass"),
                                             ("associate_public_ip_address = true", "fail"),
                                             ("description = \"nodes\"", "fail")])   # says nothing: the subnet decides
def test_a_managed_node_groups_template_that_says_no_public_ip_overrides_its_public_subnet(write, run_scan, interface,
                                                                                            kind):
    text = BESIDE_A_PRIVATE_GROUP + MANAGED_GROUP % (interface, "public", BY_ID)
    result = run_scan(write({"main.tf": text}), only=("HAVEN-006",))
    assert result.unresolved == []
    if kind == "pass":
        assert result.findings == [] and ("HAVEN-006", "aws_eks_node_group.managed") in \
            [(p.policy_id, p.address) for p in result.passed]
        return
    [finding] = result.findings
    at = "launch_template {" if "true" in interface else "subnet_ids"
    assert (finding.path, finding.line, finding.policy_id, finding.address) == \
        ("main.tf", [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(at)][-1], "HAVEN-006",
         "aws_eks_node_group.managed")


@pytest.mark.parametrize("interface, launch_template, kind", [
    # a template not in the scanned code may set associate_public_ip_address = false, which overrides the subnet
    ('description = "nodes"', 'id      = "lt-0123456789abcdef0"', "open"),
    ('description = "nodes"', "id      = var.template_id", "open"),
    ("associate_public_ip_address = var.public", "id      = aws_launch_template.managed.id", "open"),
    # a template in the code that says nothing leaves the public IP to the subnet
    ('description = "nodes"', "id      = aws_launch_template.managed.id", "fail"),
])
def test_a_template_that_may_say_no_public_ip_leaves_a_public_subnet_unresolved(write, run_scan, interface,
                                                                                 launch_template, kind):
    text = BESIDE_A_PRIVATE_GROUP.replace('variable "public" {}\n', "") + 'variable "public" {}\n' + \
        MANAGED_GROUP % (interface, "public", launch_template)
    result = run_scan(write({"main.tf": text}), only=("HAVEN-006",))
    outcomes = [("fail", f.address) for f in result.findings] + [("open", u.address) for u in result.unresolved]
    assert outcomes == [(kind, "aws_eks_node_group.managed")]


def test_a_self_managed_group_whose_other_template_says_nothing_still_fails_on_its_public_subnet(write, run_scan):
    """The mixed-instances override is not in the code, but the group's own template leaves the IP to the subnet."""
    group = MIXED.replace("aws_subnet.private.id", "aws_subnet.public.id") % 'launch_template_name = "elsewhere"'
    result = run_scan(write({"main.tf": SELF_MANAGED_NETWORK % ("", group)}), only=("HAVEN-006",))
    assert [(f.address, f.path) for f in result.findings] == [("aws_autoscaling_group.nodes", "main.tf")]
