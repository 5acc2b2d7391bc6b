"""What the default profile reports: opt-in rules stay off until named, earlier ids keep working, and one
fact gives one finding (or one unresolved check)."""
from __future__ import annotations

import json

from scanner.config import Config
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.evaluate import waivers

POD = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: zaken}
spec:
  containers:
    - name: web
      image: registry.example.nl/web:1.0.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: zaken}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def ids(findings):
    return sorted((f.policy_id, f.address) for f in findings)


def test_a_region_not_known_statically_is_one_unresolved_check_not_two(write, run_scan):
    root = write({"main.tf": 'variable "where" {}\nresource "azurerm_resource_group" "rg" {\n'
                             '  name     = "rg"\n  location = var.where\n}\n'})
    result = run_scan(root, only=("residency",))
    assert ids(result.unresolved) == [("RES-001", "azurerm_resource_group.rg")]


def test_opt_in_rules_stay_off_until_the_configuration_names_them(write, run_scan):
    root = write({"pod.yaml": POD})
    assert [f.policy_id for f in run_scan(root, only=("workload",)).findings] == []
    by_group = run_scan(root, only=("workload",), config=Config(enforcement={"restricted": ("deny", None)}))
    assert sorted({f.policy_id for f in by_group.findings}) == ["WL-030", "WL-031", "WL-032", "WL-033", "WL-034",
                                                               "WL-035"]
    by_alias = run_scan(root, only=("workload",), config=Config(enforcement={"HAVEN-025": ("audit", None)}))
    assert [(f.policy_id, f.mode, f.level) for f in by_alias.findings] == [("WL-030", "audit", "warning")]


def test_naming_an_earlier_id_on_the_command_line_runs_the_renamed_rule(write, run_scan):
    result = run_scan(write({"pod.yaml": POD}), only=("HAVEN-025",))
    assert ids(result.findings) == [("WL-030", "Pod/zaken/web")]


def test_only_and_skip_take_comma_separated_names(write, run_scan):
    root = write({"pod.yaml": POD})
    both = run_scan(root, only=("WL-030, WL-031",))
    assert ids(both.findings) == [("WL-030", "Pod/zaken/web"), ("WL-031", "Pod/zaken/web")]
    chosen = selection.select(policy_module.load(), ("restricted",), ("WL-031,WL-032,WL-033,WL-034,WL-035",))
    assert [p.id for p in chosen] == ["WL-030"]


def test_waivers_and_baselines_written_for_an_earlier_id_still_match(write, run_scan, tmp_path):
    root = write({"pod.yaml": POD.replace("  containers:", "  hostNetwork: true  # sovscan:ignore HAVEN-013 "
                                          "reason=\"node agent\" until=2027-06-30\n  containers:")})
    result = run_scan(root, only=("WL-001", "WL-030"))
    assert [(f.policy_id, f.suppression.justification if f.suppression else None) for f in result.findings] == [
        ("WL-001", "node agent"), ("WL-030", None)]
    recorded = [f for f in result.findings if f.policy_id == "WL-030"][0]
    from scanner.evaluate.fingerprint import finding_key
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "findings": [{"fingerprint": finding_key(
        "HAVEN-025", recorded.path, recorded.address, recorded.attribute), "rule": "HAVEN-025"}]}))
    again = waivers.apply_baseline(result, waivers.load_baseline(str(baseline)))
    assert [f.suppression.justification for f in again.findings if f.policy_id == "WL-030"] == ["in the baseline"]
    assert again.stale_baseline == []


DEPLOYMENTS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: zaken}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
        - name: api
          image: harbor.gemeente.example/zaken/api:2.0.1
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics, namespace: zaken}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: exporter
          image: quay.io/prometheus/node-exporter:v1.8.2
"""


def test_without_an_allow_list_the_registries_are_one_note_for_the_scan(write, run_scan):
    result = run_scan(write({"k8s/apps.yaml": DEPLOYMENTS}), only=("EXIT-010",))
    (note,) = result.findings
    assert (note.path.rsplit("/", 2)[-2:], note.line, note.level) == (["k8s", "apps.yaml"], 10, "note")
    assert note.message.startswith("no exit.image_registries allow-list is configured: 2 of 3 image references "
                                   "come from registries operated outside the EU: docker.io (Docker, Inc., US) x1, "
                                   "quay.io (Red Hat (IBM), US) x1")


def test_the_note_sits_in_the_configuration_file_when_the_scan_has_one(write, run_scan):
    root = write({"k8s/apps.yaml": DEPLOYMENTS, ".sovscan.yaml": "environment: prod\n"})
    (note,) = run_scan(root, only=("EXIT-010",)).findings
    assert (note.path.rsplit("/", 1)[-1], note.line) == (".sovscan.yaml", 1)


def test_with_an_allow_list_each_image_outside_it_is_a_warning_where_it_is_written(write, run_scan):
    config = Config(image_registries=("harbor.gemeente.example", "quay.io/prometheus"))
    result = run_scan(write({"apps.yaml": DEPLOYMENTS}), only=("EXIT-010",), config=config)
    assert [(f.line, f.level, f.message) for f in result.findings] == [
        (10, "warning", "Deployment/zaken/web: container web image comes from docker.io/nginx, which is not on "
                        "exit.image_registries")]


def test_registry_data_names_operator_jurisdiction_and_region():
    from scanner.registries.portability import image_registries
    data = image_registries()
    cases = {"us-central1-docker.pkg.dev": ("Google (Artifact Registry)", "US", "us-central1"),
             "europe-west4-docker.pkg.dev": ("Google (Artifact Registry)", "US", "europe-west4"),
             "gcr.io": ("Google (Container Registry)", "US", "us"),
             "eu.gcr.io": ("Google (Container Registry)", "US", "eu"),
             "111122223333.dkr.ecr.eu-west-1.amazonaws.com": ("Amazon (Elastic Container Registry)", "US", "eu-west-1"),
             "gemeente.azurecr.io": ("Microsoft (Azure Container Registry)", "US", ""),
             "ghcr.io": ("GitHub (Microsoft)", "US", ""),
             "registry.gitlab.com": ("GitLab Inc.", "US", ""),
             "rg.fr-par.scw.cloud": ("Scaleway", "FR", "fr-par"),
             "x1.c1.gra9.container-registry.ovh.net": ("OVHcloud", "FR", ""),
             "k8s.gcr.io": ("Kubernetes project (Linux Foundation), served by Google and AWS", "US", "")}
    for host, (operator, jurisdiction, region) in cases.items():
        entry = data.lookup(host)
        assert entry is not None, host
        assert (entry.operator, entry.jurisdiction, entry.region_of(host)) == (operator, jurisdiction, region), host
    assert data.lookup("harbor.gemeente.example") is None


LAMBDA = 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  package_type  = "Zip"\n}\n'
PROVIDER = 'provider "aws" {\n  region = "eu-central-1"\n}\n'


def test_a_module_library_gets_no_inventory_and_no_exit_plan_finding(write, run_scan):
    root = write({"README.md": "# module\n", "LICENSE": "MIT\n", "main.tf": LAMBDA,
                  "examples/basic/main.tf": PROVIDER + 'module "m" {\n  source = "../.."\n}\n'})
    result = run_scan(root, only=("EXIT-001", "EXIT-005"))
    assert result.findings == [] and result.unresolved == []


def test_governance_findings_land_on_the_files_that_carry_the_fact(write, run_scan):
    root = write({"README.md": "# platform\n", "LICENSE": "MIT\n", "versions.tf": 'terraform {\n  required_version = ">= 1.6"\n}\n',
                  "providers.tf": "# what this root deploys to\n" + PROVIDER, "main.tf": LAMBDA})
    result = run_scan(root, only=("EXIT-001", "EXIT-005"))
    assert [(f.policy_id, f.path.rsplit("/", 1)[-1], f.line) for f in result.findings] == [
        ("EXIT-001", "providers.tf", 2), ("EXIT-005", "providers.tf", 2)]
    assert result.findings[0].message.startswith("lock-in inventory of the root module in ")
    assert result.findings[1].message == ("no exit plan: neither exit.plan in the configuration nor an EXIT.md "
                                          "in the scan root")
    write({".sovscan.yaml": "environment: prod\n"}, root)
    moved = run_scan(root, only=("EXIT-005",))
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in moved.findings] == [(".sovscan.yaml", 1)]


def test_a_kustomization_deploys(write, run_scan):
    root = write({"README.md": "# app\n", ".gitignore": "x\n", "deploy/kustomization.yaml": "resources: [app.yaml]\n",
                  "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    (finding,) = run_scan(root, only=("EXIT-005",)).findings
    assert (finding.path.rsplit("/", 2)[-2:], finding.line) == (["deploy", "kustomization.yaml"], 1)


def test_a_us_region_registry_is_one_residency_finding_per_registry(write, run_scan):
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n    - name: app\n      image: %s\n"
    root = write({"a.yaml": pod % ("a", "us-central1-docker.pkg.dev/p/shop/a:v1"),
                  "b.yaml": pod % ("b", "us-central1-docker.pkg.dev/p/shop/b:v1"),
                  "c.yaml": pod % ("c", "europe-west4-docker.pkg.dev/p/shop/c:v1")})
    (finding,) = run_scan(root, only=("RES-020",)).findings
    assert (finding.path.rsplit("/", 1)[-1], finding.line, finding.level) == ("a.yaml", 7, "warning")
    assert finding.message == ("images from us-central1-docker.pkg.dev: 2 image reference(s) (first: Pod/default/a) "
                               "are pulled from a registry that stores them in us-central1 (US, tier third-country), "
                               "outside the allowed tier eu")


def test_kustomize_patches_are_inputs_not_objects(write, run_scan):
    """A strategic-merge patch holds only what it changes; a `$patch: delete` removes an object."""
    root = write({
        "base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                   "resources: [web.yaml]\npatches:\n  - path: patches/sidecar.yaml\n"
                                   "    target: {kind: Deployment, name: web}\n",
        "base/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
                         "  template:\n    spec:\n      containers:\n        - {name: web, image: 'nginx:1.27.3', ports: [{containerPort: 80}]}\n",
        "base/patches/sidecar.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
                                "    spec:\n      containers:\n        - {name: log, image: 'fluent-bit:3.1'}\n",
        "delete.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: loadgen}\n$patch: delete\n"})
    result = run_scan(root, only=("WL-010",))
    assert [(f.path.rsplit("/", 2)[-2:], f.address) for f in result.findings] == [
        (["base", "web.yaml"], "Deployment/default/web")]


def test_the_hardened_profile_turns_every_opt_in_group_on(write, run_scan):
    from scanner import config as config_module
    root = write({"pod.yaml": POD})
    hardened = config_module.load(None, str(root), "hardened")
    default = config_module.load(None, str(root))
    assert {f.policy_id for f in run_scan(root, only=("workload",), config=default).findings} == set()
    assert {f.policy_id for f in run_scan(root, only=("workload", "exit"), config=hardened).findings} == {
        "WL-030", "WL-031", "WL-032", "WL-033", "WL-034", "WL-035", "WL-040", "EXIT-009"}   # probes: not on a bare Pod
