"""A file named on the command line (what pre-commit does) is scanned with what it is deployed with."""
from __future__ import annotations

import json

import pytest

from scanner import cli
from scanner.model import helm_engines
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


PRIVILEGED_PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          securityContext: {privileged: true}
"""
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
BUILDS = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
    "base/deployment.yaml": DEPLOYMENT,
    "overlays/dev/kustomization.yaml": KUSTOMIZATION + "resources: [../../base]\npatches:\n  - path: priv.yaml\n",
    "overlays/dev/priv.yaml": PRIVILEGED_PATCH,
    # a cluster whose overlay lives elsewhere and takes a patch and a component from shared directories
    "clusters/prod/kustomization.yaml": KUSTOMIZATION + "resources: [../../app/overlays/prod]\n",
    "app/base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
    "app/base/deployment.yaml": DEPLOYMENT,
    "app/overlays/prod/kustomization.yaml": KUSTOMIZATION + "resources: [../../base]\ncomponents: [../../../components/hardening]\n"
                                            "patches:\n  - path: replicas.yaml\n",
    "components/hardening/kustomization.yaml": COMPONENT + "labels:\n  - pairs: {hardened: 'true'}\n",
    "app/overlays/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n",
    # two kustomizations that include each other: the walk down ends
    "loop/a/kustomization.yaml": KUSTOMIZATION + "resources: [../b, deployment.yaml]\n",
    "loop/a/deployment.yaml": DEPLOYMENT,
    "loop/b/kustomization.yaml": KUSTOMIZATION + "resources: [../a]\n",
    # a base that is fetched, and one outside the repository
    "remote/kustomization.yaml": KUSTOMIZATION + "resources:\n  - https://github.com/example/apps//base?ref=v1.0.0\n"
                                 "patches:\n  - path: priv.yaml\n",
    "remote/priv.yaml": PRIVILEGED_PATCH,
    "escape/kustomization.yaml": KUSTOMIZATION + "resources: [../../outside/base]\npatches:\n  - path: priv.yaml\n",
    "escape/priv.yaml": PRIVILEGED_PATCH,
}


@pytest.fixture
def builds(write, tmp_path, monkeypatch):
    write({"outside/base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
           "outside/base/deployment.yaml": DEPLOYMENT})
    root = write(BUILDS, tmp_path / "repo")
    (root / "linked").mkdir()
    (root / "linked" / "kustomization.yaml").write_text(KUSTOMIZATION + "resources: [../../outside/base]\n", "utf-8")
    (root / "via-link").mkdir()
    (root / "via-link" / "base").symlink_to(tmp_path / "outside" / "base")
    (root / "via-link" / "kustomization.yaml").write_text(KUSTOMIZATION + "resources: [base]\n", "utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("named, roots", [
    ("overlays/dev/priv.yaml", ["overlays/dev", "base"]),                  # a patch: its overlay and the base
    ("overlays/dev/kustomization.yaml", ["overlays/dev", "base"]),
    ("base/deployment.yaml", ["."]),                                       # a base: with its overlay (and so on)
    ("clusters/prod/kustomization.yaml",                                   # down through another overlay
     ["clusters/prod", "app/base", "app/overlays/prod", "components/hardening"]),
    ("app/base/deployment.yaml", ["."]),                                   # up to the cluster, down again
    ("app/overlays/prod/replicas.yaml", ["."]),
    ("loop/a/deployment.yaml", ["loop"]),
    ("remote/priv.yaml", ["remote"]),                                      # nothing local to follow
    ("escape/priv.yaml", ["escape"]),                                      # never outside the repository
    ("via-link/kustomization.yaml", ["via-link"]),                         # nor through a link out of it
])
def test_a_named_kustomize_file_is_scanned_with_its_whole_build(builds, named, roots):
    assert scan_roots(named) == tuple(roots)


def test_a_file_pulls_in_what_its_overlays_reach_outside_the_common_directory(write, monkeypatch):
    """The base's overlays are under app/, but the component they include is not."""
    root = write({".git/HEAD": "ref: refs/heads/main\n", **{k: v for k, v in BUILDS.items() if k.startswith(("app/", "components/"))}})
    monkeypatch.chdir(root)
    assert scan_roots("app/base/deployment.yaml") == ("app", "components/hardening")


def findings(out: str) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["policy_id"]) for f in json.loads(out)["findings"]]


def notices(out: str) -> list[tuple[str, int, str]]:
    return [(n["path"], n["line"], n["kind"]) for n in json.loads(out)["notices"]]


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_a_privileged_patch_named_alone_fails_as_in_a_full_scan(builds, capsys, strict):
    """The patch is judged on the Deployment its overlay renders from ../../base (the pre-commit case)."""
    assert cli.main(["scan", "overlays/dev/priv.yaml", "--only", "WL-001", "-f", "json", *strict]) == 1
    out = capsys.readouterr().out
    assert findings(out) == [("overlays/dev/priv.yaml", 11, "WL-001")] and notices(out) == []
    assert json.loads(out)["summary"]["files"] == 4
    assert cli.main(["scan", ".", "--only", "WL-001", "-f", "json"]) == 1
    assert ("overlays/dev/priv.yaml", 11, "WL-001") in findings(capsys.readouterr().out)


def test_a_base_named_alone_is_judged_in_an_overlay_that_takes_a_component_from_elsewhere(builds, capsys):
    """Every part of the cluster's build is scanned, so it renders in full: no notice, --strict passes."""
    assert cli.main(["scan", "app/base/deployment.yaml", "--only", "WL-001", "-f", "json", "--strict"]) == 0
    out = capsys.readouterr().out
    assert findings(out) == [] and notices(out) == []


@pytest.mark.parametrize("named, unrendered", [
    ("remote/priv.yaml", [("remote/kustomization.yaml", 4, "unrendered"), ("remote/kustomization.yaml", 6, "unrendered")]),
    ("escape/priv.yaml", [("escape/kustomization.yaml", 3, "unrendered"), ("escape/kustomization.yaml", 5, "unrendered")]),
])
def test_a_named_file_in_a_build_that_cannot_render_keeps_its_notices(builds, capsys, named, unrendered):
    """Not judged is not a pass: the notices stay in the report, and --strict fails the run."""
    assert cli.main(["scan", named, "-f", "json"]) == 0
    assert notices(capsys.readouterr().out) == unrendered
    assert cli.main(["scan", named, "-f", "json", "--strict"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [] and notices(json.dumps(report)) == unrendered


def test_the_notices_of_a_build_that_holds_no_named_file_are_left_out(builds, capsys):
    """base/deployment.yaml is scanned from the repository top, with remote/ and escape/: their builds
    cannot render, but the named file is in neither."""
    assert cli.main(["scan", "base/deployment.yaml", "--only", "WL-001", "-f", "json", "--strict"]) == 0
    out = capsys.readouterr().out
    assert findings(out) == [] and notices(out) == []


PRIVILEGED_TEMPLATE = DEPLOYMENT + "          securityContext:\n            privileged: {{ .Values.privileged }}\n"
CHART = {".git/HEAD": "ref: refs/heads/main\n", "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
         "charts/web/values.yaml": "privileged: true\n", "charts/web/templates/deployment.yaml": PRIVILEGED_TEMPLATE}


@pytest.mark.skipif(helm_engines.choose("auto") is None, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_a_chart_values_file_named_alone_is_judged_on_the_rendered_chart(write, monkeypatch, capsys):
    monkeypatch.chdir(write(CHART))
    assert cli.main(["scan", "charts/web/values.yaml", "--only", "WL-001", "-f", "json", "--strict"]) == 1
    out = capsys.readouterr().out
    assert findings(out) == [("charts/web/values.yaml", 1, "WL-001")] and notices(out) == []


def test_a_chart_file_named_alone_keeps_the_notice_of_a_chart_not_rendered(write, monkeypatch, capsys):
    monkeypatch.chdir(write(CHART))
    argv = ["scan", "charts/web/templates/deployment.yaml", "--helm-engine", "none", "-f", "json"]
    assert cli.main(argv) == 0
    assert notices(capsys.readouterr().out) == [("charts/web/Chart.yaml", 0, "unrendered")]
    assert cli.main([*argv, "--strict"]) == 1
    assert notices(capsys.readouterr().out) == [("charts/web/Chart.yaml", 0, "unrendered")]


def test_two_paths_outside_the_working_directory_keep_their_files_apart(write, tmp_path, monkeypatch, capsys):
    bucket = 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n'
    write({"a/infra/main.tf": bucket, "b/main.tf": bucket, "here/README": "x\n"})
    monkeypatch.chdir(tmp_path / "here")
    assert cli.main(["scan", "../a/infra", "../b", "--only", "RES-001", "-f", "json=out.json"]) == 1
    findings = json.loads((tmp_path / "here" / "out.json").read_text(encoding="utf-8"))["findings"]
    assert sorted(f["path"] for f in findings) == ["../a/infra/main.tf", "../b/main.tf"]
    assert len({f["fingerprint"] for f in findings}) == 2
    capsys.readouterr()
    assert cli.main(["scan", "../b", "--only", "RES-001", "-f", "json=alone.json"]) == 1   # one path: as before
    alone = json.loads((tmp_path / "here" / "alone.json").read_text(encoding="utf-8"))["findings"]
    assert [f["path"] for f in alone] == ["main.tf"]
    capsys.readouterr()
    # files named in two directories outside the working directory (pre-commit from elsewhere): both reported
    assert cli.main(["scan", "../a/infra/main.tf", "../b/main.tf", "--only", "RES-001", "-f", "json=named.json"]) == 1
    named = json.loads((tmp_path / "here" / "named.json").read_text(encoding="utf-8"))["findings"]
    assert sorted(f["path"] for f in named) == ["../a/infra/main.tf", "../b/main.tf"]
    capsys.readouterr()
    assert cli.main(["scan", "../b", "../b/", "--only", "RES-001", "-f", "json=twice.json"]) == 1   # one root
    twice = json.loads((tmp_path / "here" / "twice.json").read_text(encoding="utf-8"))["findings"]
    assert [f["path"] for f in twice] == ["main.tf"]
