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
