"""A file named on the command line (what pre-commit does) is scanned with what it is deployed with."""
from __future__ import annotations

import json

import pytest

from scanner import cli
from scanner.scan_roots import scan_roots

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.eu/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
"""
POLICIES = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
"""
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
REPOSITORY = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "k8s/web.yaml": DEPLOYMENT,
    "k8s/policies.yaml": POLICIES,
    "apps/shop/base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
    "apps/shop/base/deployment.yaml": DEPLOYMENT,
    "apps/shop/overlays/prod/kustomization.yaml": KUSTOMIZATION + "resources: [../../base]\npatches:\n  - path: scale.yaml\n",
    "apps/shop/overlays/prod/scale.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n",
    "apps/shop/overlays/dev/kustomization.yaml": KUSTOMIZATION + "resources: [../../base]\n",
    "apps/other/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
    "apps/other/deployment.yaml": DEPLOYMENT,
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "replicaCount: 2\n",
    "charts/web/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    "charts/web/charts/cache/Chart.yaml": "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    "charts/web/charts/cache/templates/statefulset.yaml": "apiVersion: apps/v1\nkind: StatefulSet\n",
    "infra/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n',
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
}


@pytest.fixture
def repository(write, monkeypatch):
    root = write(REPOSITORY)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("named, roots", [
    ("apps/shop/base/deployment.yaml", ["apps/shop"]),            # a base: with every overlay that deploys it
    ("apps/shop/overlays/prod/scale.yaml", ["apps/shop/overlays/prod", "apps/shop/base"]),   # a patch: its build
    ("apps/shop/overlays/dev/kustomization.yaml", ["apps/shop/overlays/dev", "apps/shop/base"]),
    ("apps/other/deployment.yaml", ["apps/other"]),               # a standalone kustomization
    ("k8s/web.yaml", ["k8s"]),                                    # plain manifests: the directory's others
    ("charts/web/templates/deployment.yaml", ["charts/web"]),     # a chart file: the chart
    ("charts/web/charts/cache/templates/statefulset.yaml", ["charts/web"]),   # a subchart: its parent chart
    ("charts/web/values.yaml", ["charts/web"]),
    ("infra/main.tf", ["infra"]),                                 # Terraform: its module
    (".github/workflows/ci.yml", [".github/workflows/ci.yml"]),  # anything else: the file alone
    ("apps/shop", ["apps/shop"]),                                 # a directory stays what it is
])
def test_a_named_file_is_scanned_from_its_application(repository, named, roots):
    assert scan_roots(named) == tuple(roots)


def test_an_absolute_name_gives_an_absolute_root(repository):
    assert scan_roots(str(repository / "k8s" / "web.yaml")) == (str(repository / "k8s"),)


def test_the_climb_stops_at_the_repository_top(write, tmp_path, monkeypatch):
    """An overlay outside the repository that holds the base is not looked for."""
    write({"outside/overlay/kustomization.yaml": KUSTOMIZATION + "resources: [../../repo/base]\n",
           "repo/.git/HEAD": "ref: refs/heads/main\n", "repo/base/deployment.yaml": DEPLOYMENT})
    monkeypatch.chdir(tmp_path / "repo")
    assert scan_roots("base/deployment.yaml") == ("base",)


def test_a_plain_manifest_named_alone_is_judged_with_the_policies_beside_it(repository, capsys):
    """The PodDisruptionBudget and default-deny NetworkPolicy in k8s/policies.yaml count for k8s/web.yaml."""
    assert cli.main(["scan", "k8s/web.yaml", "--only", "WL-010", "--only", "WL-021", "-f", "json"]) == 0
    assert '"findings": []' in capsys.readouterr().out


def test_a_base_named_alone_is_judged_in_its_overlays(repository, capsys):
    """Scanned with both overlays (5 files): the base's line fails in both, so it is one finding that names
    no overlay."""
    assert cli.main(["scan", "apps/shop/base/deployment.yaml", "--only", "WL-030", "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(f["policy_id"], f["path"], f["line"]) for f in report["findings"]] == [
        ("WL-030", "apps/shop/base/deployment.yaml", 15)]
    assert "overlay" not in report["findings"][0]["message"]
    assert report["findings"][0]["instances"] == [] and report["notices"] == []
    assert report["summary"]["files"] == 5
