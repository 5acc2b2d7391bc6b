"""An add-on serves the clusters it can reach: its own root module's, or every cluster when it sits in a
root module without a cluster or in Kubernetes manifests; never a cluster of another root module."""
from __future__ import annotations

EKS = ('resource "aws_eks_cluster" "c" {{\n  name     = "{name}"\n  role_arn = "arn"\n  vpc_config {{\n'
       '    subnet_ids = ["a"]\n  }}\n}}\nprovider "aws" {{\n  region = "eu-west-1"\n}}\n')
EFS = 'resource "aws_eks_addon" "efs" {\n  cluster_name = "x"\n  addon_name   = "aws-efs-csi-driver"\n}\n'
LOGS = 'resource "helm_release" "logs" {\n  name  = "logs"\n  chart = "fluent-bit"\n}\n'


def _verdicts(result):
    return sorted([(f.path, "fail") for f in result.findings] + [(u.path, "open") for u in result.unresolved])


def test_an_add_on_in_one_cluster_root_says_nothing_about_another(write, run_scan):
    root = write({"envs/dev/main.tf": EKS.format(name="dev") + EFS, "envs/prod/main.tf": EKS.format(name="prod") + LOGS})
    # prod manages add-ons (a Helm release) but has no RWX driver; dev's driver does not reach it
    assert _verdicts(run_scan(root, only=("HAVEN-010",))) == [("envs/prod/main.tf", "fail")]


def test_a_cluster_root_that_manages_no_add_ons_is_unresolved_whatever_another_cluster_root_does(write, run_scan):
    root = write({"envs/dev/main.tf": EKS.format(name="dev") + LOGS, "envs/prod/main.tf": EKS.format(name="prod")})
    assert _verdicts(run_scan(root, only=("HAVEN-010",))) == [("envs/dev/main.tf", "fail"),
                                                             ("envs/prod/main.tf", "open")]


def test_an_add_ons_root_without_a_cluster_serves_every_cluster(write, run_scan):
    root = write({"cluster/main.tf": EKS.format(name="prod"), "addons/main.tf": EFS + 'provider "aws" {}\n'})
    assert _verdicts(run_scan(root, only=("HAVEN-010",))) == []


FLUENT_BIT = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: fluent-bit\n  namespace: logging\nspec:\n"
              "  selector:\n    matchLabels: {app: fluent-bit}\n  template:\n    metadata:\n      labels: {app: fluent-bit}\n"
              "    spec:\n      containers:\n        - name: fluent-bit\n          image: fluent/fluent-bit:3.1.4\n")
OWN_TOP = {"LICENSE": "MIT\n", ".gitignore": "*.tfstate\n"}


def _repository(name: str, files: dict[str, str], top: dict[str, str] = OWN_TOP) -> dict[str, str]:
    return {f"{name}/{path}": text for path, text in {**top, **files}.items()}


def test_a_repository_beside_another_in_one_scan_does_not_run_its_add_ons(write, run_scan):
    root = write({**_repository("platform", {"infra/main.tf": EKS.format(name="prod") + LOGS.replace("fluent-bit", "x")}),
                  **_repository("team-apps", {"k8s/fluent-bit.yaml": FLUENT_BIT})})
    # platform manages add-ons (a Helm release) but runs no log collector: team-apps' DaemonSet is not its
    assert _verdicts(run_scan(root, only=("HAVEN-008",))) == [("platform/infra/main.tf", "fail")]


def test_a_repository_known_by_its_git_directory_is_one_too(write, run_scan, tmp_path):
    root = write({**_repository("platform", {"infra/main.tf": EKS.format(name="prod")}, top={}),
                  **_repository("team-apps", {"k8s/fluent-bit.yaml": FLUENT_BIT}, top={})})
    assert _verdicts(run_scan(root, only=("HAVEN-008",))) == []
    (root / "platform" / ".git").mkdir()
    assert _verdicts(run_scan(root, only=("HAVEN-008",))) == [("platform/infra/main.tf", "open")]


def test_manifests_in_the_clusters_own_repository_still_serve_it(write, run_scan):
    root = write({**_repository("platform", {"infra/main.tf": EKS.format(name="prod"), "k8s/fluent-bit.yaml": FLUENT_BIT}),
                  **_repository("team-apps", {"README.md": "apps\n"})})
    assert _verdicts(run_scan(root, only=("HAVEN-008",))) == []


def test_a_monorepo_s_subdirectories_are_not_repositories_of_their_own(write, run_scan, tmp_path):
    root = write({"README.md": "mono\n", "LICENSE": "MIT\n",
                  **_repository("infra", {"main.tf": EKS.format(name="prod") + LOGS.replace("fluent-bit", "x")},
                                top={"LICENSE": "MIT\n", ".gitignore": "*.tfstate\n", ".gitlab-ci.yml": "x: 1\n"}),
                  "k8s/fluent-bit.yaml": FLUENT_BIT})
    (root / ".git").mkdir()
    # infra/ keeps its own .gitignore and pipeline, but is part of the repository: k8s/'s collector serves it
    assert _verdicts(run_scan(root, only=("HAVEN-008",))) == []


def test_repositories_scanned_from_outside_the_working_directory_stay_apart(write, run_scan, tmp_path, monkeypatch):
    clones = write({**_repository("platform", {"infra/main.tf": EKS.format(name="prod") + LOGS.replace("fluent-bit", "x")}, top={}),
                    **_repository("team-apps", {"k8s/fluent-bit.yaml": FLUENT_BIT}, top={})}, tmp_path / "clones")
    (clones / "platform" / ".git").mkdir()
    (clones / "team-apps" / ".git").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    from scanner.evaluate import selection
    from scanner.pipeline import ScanRequest, scan
    from scanner.config import Config
    from tests.conftest import TODAY
    from scanner.evaluate import policies as policy_module
    chosen = selection.select(policy_module.load(), ("HAVEN-008",))
    result, _ = scan(ScanRequest(("../clones/platform", "../clones/team-apps"), tuple(chosen), Config(), today=TODAY))
    assert [(f.path, f.policy_id) for f in result.findings] == [("../clones/platform/infra/main.tf", "HAVEN-008")]


def test_a_scan_below_a_checkouts_top_does_not_split_its_subdirectories(write, run_scan, tmp_path):
    root = write({**_repository("services/a", {"main.tf": EKS.format(name="prod") + LOGS.replace("fluent-bit", "x")}),
                  **_repository("services/b", {"fluent-bit.yaml": FLUENT_BIT})}, tmp_path / "mono")
    (root / ".git").mkdir()
    # services/a and services/b each keep a LICENSE and a .gitignore, but both are the monorepo's
    assert _verdicts(run_scan(root / "services", only=("HAVEN-008",))) == []
