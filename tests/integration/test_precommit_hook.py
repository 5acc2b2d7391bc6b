""".pre-commit-hooks.yaml: valid for pre-commit, and its entry works the way pre-commit calls it."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

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
    assert spec["types_or"] == ["terraform", "yaml", "json"]


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_entry_is_a_console_script_of_the_package():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert shlex.split(hook()["entry"])[0] in scripts


def test_file_types_select_infrastructure_files():
    identify = pytest.importorskip("identify.identify")
    wanted = set(hook()["types_or"])
    for name in ("main.tf", "prod.tfvars", "deploy.yaml", "values.yml", "plan.json"):
        assert identify.tags_from_filename(name) & wanted, name
    assert not identify.tags_from_filename("README.md") & wanted


def test_entry_with_file_names_fails_on_a_violation(write, monkeypatch, capsys):
    root = write({"infra/main.tf": 'resource "azurerm_storage_account" "logs" {\n  location = "eastus"\n}\n',
                  "clean/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = "westeurope"\n}\n'})
    monkeypatch.chdir(root)
    argv = shlex.split(hook()["entry"])[1:]
    assert cli.main(argv + ["infra/main.tf"]) == 1
    assert "RES-001" in capsys.readouterr().out
    assert cli.main(argv + ["clean/main.tf"]) == 0
