"""--changed-since keeps a finding whose value a pull request changed, wherever the change is written: an element
of a multi-line list a local holds, a deleted variables file, patch or policy, a file moved into another
directory. Each case: the base commit is compliant, the change makes a finding, and the narrowed scan fails."""
from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest

from scanner import cli
from tests.security.conftest import git

LOCALS = 'locals {\n  regions = [\n    "westeurope",\n    "northeurope",\n  ]\n}\n' \
         'resource "azurerm_resource_group" "rg" {\n  location = local.regions[1]\n}\n'
VARIABLE = 'variable "region" {\n  default = "eastus"\n}\n' \
           'resource "azurerm_resource_group" "rg" {\n  location = var.region\n}\n'
PRIVILEGED = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n"
              "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.0\n"
              "          securityContext:\n            privileged: true\n")


def commit(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")


def narrowed(capsys, *only: str) -> tuple[int, str]:
    code = cli.main(["scan", ".", "--changed-since", "HEAD", *(a for rule in only for a in ("--only", rule))])
    return code, capsys.readouterr().out


def test_an_element_changed_inside_a_multi_line_list_keeps_the_finding(repo, capsys):
    commit(repo, {"infra/main.tf": LOCALS})
    (repo / "infra" / "main.tf").write_text(LOCALS.replace('"northeurope"', '"eastus"'), encoding="utf-8")
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "infra/main.tf:8: error RES-001" in out       # decided on line 4, in the local's list


def test_a_deleted_variables_file_keeps_what_it_decided(repo, capsys):
    commit(repo, {"infra/main.tf": VARIABLE, "infra/terraform.tfvars": 'region = "westeurope"\n'})
    git(repo, "rm", "-q", "infra/terraform.tfvars")
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "infra/main.tf:5: error RES-001" in out


def test_a_deleted_patch_keeps_what_it_had_hidden(repo, capsys):
    commit(repo, {"k8s/base/web.yaml": PRIVILEGED, "k8s/base/kustomization.yaml": "resources: [web.yaml]\n",
                  "k8s/prod/kustomization.yaml": "resources: [../base]\npatches:\n  - path: safe.yaml\n",
                  "k8s/prod/safe.yaml": PRIVILEGED.replace("privileged: true", "privileged: false")})
    (repo / "k8s" / "prod" / "kustomization.yaml").write_text("resources: [../base]\n", encoding="utf-8")
    git(repo, "rm", "-q", "k8s/prod/safe.yaml")
    code, out = narrowed(capsys, "WL-001")
    assert code == 1 and "WL-001" in out


def test_a_file_moved_into_another_directory_counts_as_changed(repo, capsys):
    commit(repo, {"examples/main.tf": VARIABLE})
    (repo / "prod").mkdir()
    git(repo, "mv", "examples/main.tf", "prod/main.tf")
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "prod/main.tf:5: error RES-001" in out


def test_a_file_renamed_in_its_directory_does_not(repo, capsys):
    commit(repo, {"prod/main.tf": VARIABLE})
    git(repo, "mv", "prod/main.tf", "prod/network.tf")
    code, out = narrowed(capsys, "RES-001")
    assert code == 0 and "RES-001" not in out


DENY_INGRESS = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\n"
                "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n")


@pytest.mark.parametrize("workload, policy", [("k8s/web.yaml", "k8s/deny.yaml"),            # the same directory
                                              ("apps/web.yaml", "policies/deny.yaml")])   # another one
def test_a_deleted_network_policy_keeps_the_finding_it_had_answered(repo, capsys, workload, policy):
    commit(repo, {workload: PRIVILEGED, policy: DENY_INGRESS})
    git(repo, "rm", "-q", policy)
    code, out = narrowed(capsys, "WL-021")
    assert "WL-021" in out


def test_a_deleted_terraform_json_file_is_no_lost_manifest(repo, capsys):
    """A lost manifest keeps every finding of the checks that look across Kubernetes objects; a `.tf.json` file,
    JSON but Terraform's, is none: the unchanged workload's WL-021 finding stays out of the narrowed report."""
    commit(repo, {"k8s/web.yaml": PRIVILEGED,
                  "infra/extra.tf.json": '{"resource": {"azurerm_resource_group": {"rg": {"location": "westeurope"}}}}\n'})
    git(repo, "rm", "-q", "infra/extra.tf.json")
    code, out = narrowed(capsys, "WL-021")
    assert code == 0 and "WL-021" not in out
    commit(repo, {"k8s/deny.yaml": DENY_INGRESS})
    git(repo, "rm", "-q", "k8s/deny.yaml")                 # a lost manifest does keep it
    code, out = narrowed(capsys, "WL-021")
    assert "WL-021" in out


def test_a_changed_file_that_file_reads_keeps_the_finding(repo, capsys):
    commit(repo, {"infra/main.tf": 'locals {\n  cfg = jsondecode(file("${path.module}/cfg.json"))\n}\n'
                                   'resource "azurerm_resource_group" "rg" {\n  location = local.cfg.region\n}\n',
                  "infra/cfg.json": '{\n  "name": "x",\n  "region": "westeurope"\n}\n'})
    (repo / "infra" / "cfg.json").write_text('{\n  "name": "x",\n  "region": "eastus"\n}\n', encoding="utf-8")
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "infra/main.tf:5: error RES-001" in out and "(set in infra/cfg.json:1)" in out


def test_what_is_not_lost_or_decides_nothing_keeps_nothing(repo, capsys):
    """A committed link to a directory is no lost file, nor is a deleted README: an unchanged tree reports
    nothing new."""
    commit(repo, {"prod/main.tf": VARIABLE, "real/README.md": "# docs\n", "README.md": "# top\n"})
    os.symlink("real", repo / "linkdir")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    git(repo, "rm", "-q", "README.md")
    code, out = narrowed(capsys, "RES-001")
    assert code == 0 and "RES-001" not in out


@pytest.mark.parametrize("move", [("prod/terraform.tfvars", "old/terraform.tfvars"),
                                  ("prod/terraform.tfvars", "prod/terraform.tfvars.bak")])
def test_a_variables_file_moved_away_keeps_what_it_decided(repo, capsys, move):
    commit(repo, {"prod/main.tf": VARIABLE, "prod/terraform.tfvars": 'region = "westeurope"\n'})
    (repo / posixpath.dirname(move[1])).mkdir(exist_ok=True)
    git(repo, "mv", *move)
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "prod/main.tf:5: error RES-001" in out


def test_an_element_changed_inside_a_terraform_json_object_keeps_the_finding(repo, capsys):
    settings = '{\n  "locals": {\n    "settings": {\n      "location": "westeurope",\n      "tier": "a"\n    }\n  }\n}\n'
    commit(repo, {"infra/other.tf.json": settings,
                  "infra/rg.tf": 'resource "azurerm_resource_group" "rg" {\n  location = local.settings.location\n}\n'})
    (repo / "infra" / "other.tf.json").write_text(settings.replace("westeurope", "eastus"), encoding="utf-8")
    code, out = narrowed(capsys, "RES-001")
    assert code == 1 and "infra/rg.tf:2: error RES-001" in out


@pytest.mark.parametrize("code", [
    'variable "regions" {}\nresource "azurerm_resource_group" "rg" {\n  for_each = toset(var.regions)\n'
    '  name     = "rg-${each.key}"\n  location = each.value\n}\n',
    'variable "regions" {}\nmodule "rg" {\n  source   = "./rg"\n  for_each = toset(var.regions)\n  loc      = each.value\n}\n'])
def test_a_collection_changed_in_a_variables_file_keeps_the_findings_of_the_instances(repo, capsys, code):
    """A value read through each.value was decided where the collection was; a new instance is new throughout."""
    commit(repo, {"infra/main.tf": code, "infra/terraform.tfvars": 'regions = ["westeurope"]\n',
                  "infra/rg/main.tf": 'variable "loc" {}\nresource "azurerm_resource_group" "rg" {\n'
                                      '  location = var.loc\n}\n'})
    (repo / "infra" / "terraform.tfvars").write_text('regions = ["westeurope", "eastus"]\n', encoding="utf-8")
    code_, out = narrowed(capsys, "RES-001")
    assert code_ == 1 and "RES-001" in out


def test_a_values_file_renamed_so_that_helm_no_longer_reads_it_counts_as_changed(repo, capsys):
    commit(repo, {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
                  "chart/values.yaml": "image: nginx:1.27.0\n",
                  "chart/templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                              "    - name: c\n      image: {{ .Values.image | default \"nginx:latest\" }}\n"})
    git(repo, "mv", "chart/values.yaml", "chart/values.yml")
    code, out = narrowed(capsys, "EXIT-020")
    if "not rendered" in out or "EXIT-020" not in cli_full(capsys):
        pytest.skip("no Helm engine here")
    assert "EXIT-020" in out


def cli_full(capsys) -> str:
    cli.main(["scan", ".", "--only", "EXIT-020", "--no-cache"])
    return capsys.readouterr().out


def test_an_item_added_to_a_dynamic_blocks_collection_keeps_its_finding(repo, capsys):
    commit(repo, {"infra/main.tf": 'variable "geo" {}\nresource "azurerm_cosmosdb_account" "db" {\n'
                                   '  location = "westeurope"\n  dynamic "geo_location" {\n    for_each = var.geo\n'
                                   '    content {\n      location          = geo_location.value\n'
                                   '      failover_priority = geo_location.key\n    }\n  }\n}\n',
                  "infra/terraform.tfvars": 'geo = ["westeurope"]\n'})
    (repo / "infra" / "terraform.tfvars").write_text('geo = ["westeurope", "westus"]\n', encoding="utf-8")
    code, out = narrowed(capsys, "RES-005")
    assert code == 1 and "RES-005" in out
