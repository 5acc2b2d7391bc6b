""".pre-commit-hooks.yaml: valid for pre-commit, and its entry works the way pre-commit calls it."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from scanner import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / ".pre-commit-hooks.yaml"


def hook() -> dict:
    (only,) = yaml.safe_load(MANIFEST.read_text("utf-8"))
    return only


def test_manifest_passes_pre_commits_own_validator(tmp_path):
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (loaded,) = clientlib.load_manifest(str(MANIFEST))
    assert loaded["id"] == "sovscan" and loaded["language"] == "python"
    broken = tmp_path / "hooks.yaml"
    broken.write_text(yaml.safe_dump([{k: v for k, v in hook().items() if k != "entry"}]), encoding="utf-8")
    with pytest.raises(clientlib.InvalidManifestError):
        clientlib.load_manifest(str(broken))


def test_hook_settings():
    spec = hook()
    assert spec["entry"] == "sovscan scan"
    assert spec["pass_filenames"] is True and spec["require_serial"] is True
    assert "types_or" not in spec and "types" not in spec   # by name: identify knows no .tofu (see below)


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_entry_is_a_console_script_of_the_package():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert shlex.split(hook()["entry"])[0] in scripts


SELECTED = ["main.tf", "net.tofu", "main.tf.json", "net.tofu.json", "prod.tfvars", "prod.tfvars.json",
            "MAIN.TF", "deploy.yaml", "values.yml", "plan.json", "overlays/dev/Kustomization",
            "terraform.tfstate", "terraform.tfstate.backup", "terraform.tfstate.1700000000.backup", "prod.tfplan"]
LEFT_OUT = ["README.md", "main.py", "terragrunt.hcl", "net.tofu.orig", "Kustomization.md", "notes.txt",
            ".terraform/modules/vpc/main.tf", "infra/.terraform/modules/vpc/net.tofu",
            "infra/.terraform/providers/schema.json"]


def test_the_hook_gets_every_file_sovscan_scans_and_nothing_else(tmp_path, monkeypatch):
    """pre-commit's own selection (its Classifier, with the manifest's defaults applied) over real files:
    identify tags a.tofu only ["file", "non-executable", "text"], so a type filter would drop it."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    run = pytest.importorskip("pre_commit.commands.run")
    (loaded,) = clientlib.load_manifest(str(MANIFEST))
    for name in SELECTED + LEFT_OUT:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    (tmp_path / "linked.tf").symlink_to(tmp_path / "main.tf")
    monkeypatch.chdir(tmp_path)
    classifier = run.Classifier(SELECTED + LEFT_OUT + ["linked.tf"])
    chosen = list(classifier.filenames_for_hook(SimpleNamespace(**loaded)))
    assert chosen == SELECTED


def test_entry_with_file_names_fails_on_a_violation(write, monkeypatch, capsys):
    root = write({"infra/main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n',
                  "clean/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n'})
    monkeypatch.chdir(root)
    argv = shlex.split(hook()["entry"])[1:]
    assert cli.main(argv + ["infra/main.tf"]) == 1
    assert "RES-001" in capsys.readouterr().out
    assert cli.main(argv + ["clean/main.tf"]) == 0


PRIVILEGED_PATCH = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n"
                    "  template:\n    spec:\n      containers:\n        - name: web\n          securityContext: {privileged: true}\n")
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n"
              "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
              "    spec:\n      containers:\n        - name: web\n          image: registry.example.eu/web:1.0\n")
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_real_hook_blocks_an_opentofu_file_and_a_privileged_overlay_patch(write, tmp_path, pre_commit_home):
    """Staged alone, an OpenTofu file reaches the hook and a Kustomize patch is judged with its base."""
    pytest.importorskip("pre_commit")
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    root = write({"base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
                  "base/deployment.yaml": DEPLOYMENT,
                  "overlays/dev/kustomization.yaml": KUSTOMIZATION + "resources: [../../base]\npatches:\n  - path: priv.yaml\n"},
                 tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    write({"overlays/dev/priv.yaml": PRIVILEGED_PATCH,
           "infra/net.tofu": 'resource "azurerm_resource_group" "rg" {\n  location = "eastus"\n}\n'}, root)
    git(root, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sovscan"],
                          cwd=root, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "overlays/dev/priv.yaml:11: error WL-001 " in done.stdout, done.stdout
    assert "infra/net.tofu:2: error RES-001 " in done.stdout, done.stdout
