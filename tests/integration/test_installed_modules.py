"""After `terraform init`, registry and git module calls are followed into `.terraform/modules/`: their
values resolve, their findings land on the user's module call, and their files are never reported as the
user's own."""
from __future__ import annotations

import json

from scanner import cli

MANIFEST = {"Modules": [
    {"Key": "", "Source": "", "Dir": "."},
    {"Key": "storage", "Source": "registry.terraform.io/example/storage/azurerm", "Version": "1.2.0",
     "Dir": ".terraform/modules/storage"},
    {"Key": "storage.network", "Source": "./network", "Dir": ".terraform/modules/storage/network"},
]}
ROOT = '''module "storage" {
  source   = "example/storage/azurerm"
  version  = "1.2.0"
  location = var.location
}
variable "location" {
  default = "westeurope"
}
output "account" {
  value = module.storage.name
}
'''
INSTALLED = '''variable "location" {}
variable "replica" {
  default = "eastus"
}
resource "azurerm_storage_account" "this" {
  name     = "acct"
  location = var.location
}
resource "azurerm_storage_account" "replica" {
  name     = "replica"
  location = var.replica
}
module "network" {
  source   = "./network"
  location = var.replica
}
output "name" {
  value = azurerm_storage_account.this.name
}
# an example key in the module's own docs: AKIAIOSFODNN7EXAMPLF
'''
NETWORK = 'variable "location" {}\nresource "azurerm_virtual_network" "v" {\n  location = var.location\n}\n'


def tree(write, with_manifest: bool = True):
    files = {"infra/main.tf": ROOT, "infra/.terraform/modules/storage/main.tf": INSTALLED,
             "infra/.terraform/modules/storage/network/main.tf": NETWORK}
    if with_manifest:
        files["infra/.terraform/modules/modules.json"] = json.dumps(MANIFEST)
    return write(files)


def test_findings_in_installed_modules_land_on_the_users_module_call(write, monkeypatch, tmp_path):
    root = tree(write)
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    assert cli.main(["scan", "infra", "--only", "RES-001", "-f", f"json={out}"]) == 1
    findings = json.loads(out.read_text())["findings"]
    assert {(f["path"], f["line"], f["address"]) for f in findings} == {
        ("infra/main.tf", 1, "module.storage.azurerm_storage_account.replica"),
        ("infra/main.tf", 1, "module.storage.module.network.azurerm_virtual_network.v"),
    }
    assert all("in the installed module at infra/.terraform/modules/storage" in f["message"] for f in findings)


def test_installed_module_files_are_not_the_users_files(write, monkeypatch, tmp_path):
    root = tree(write)
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    cli.main(["scan", "infra", "--only", "secrets", "-f", f"json={out}"])
    assert [f for f in json.loads(out.read_text())["findings"] if ".terraform" in f["path"]] == []


def test_without_a_manifest_the_call_stays_unresolved(write, monkeypatch, tmp_path):
    root = tree(write, with_manifest=False)
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    assert cli.main(["scan", "infra", "--only", "RES-001", "-f", f"json={out}"]) == 0
    assert json.loads(out.read_text())["findings"] == []


def test_a_modules_own_default_is_reported_at_each_call_and_roots_stay_apart(write, monkeypatch, tmp_path):
    module = ('variable "location" {\n  default = "eastus"\n}\n'
              'resource "azurerm_storage_account" "s" {\n  location = var.location\n}\n')
    root = write({"modules/store/main.tf": module,
                  "envs/a/main.tf": 'module "store" {\n  source = "../../modules/store"\n}\n',
                  "envs/b/main.tf": '\n\nmodule "store" {\n  source = "../../modules/store"\n}\n',
                  "envs/c/main.tf": 'module "store" {\n  source   = "../../modules/store"\n'
                                        '  location = "westeurope"\n}\n'})
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    assert cli.main(["scan", ".", "--only", "RES-001", "-f", f"json={out}"]) == 1
    findings = json.loads(out.read_text())["findings"]
    assert sorted((f["path"], f["line"]) for f in findings) == [("envs/a/main.tf", 1), ("envs/b/main.tf", 3)]
    assert all("the module's default at modules/store/main.tf:2" in f["message"] for f in findings)


def test_a_module_scanned_as_a_root_reports_its_default_in_place(write, monkeypatch, tmp_path):
    root = write({"main.tf": 'variable "location" {\n  default = "eastus"\n}\n'
                             'resource "azurerm_storage_account" "s" {\n  location = var.location\n}\n'})
    monkeypatch.chdir(root)
    out = tmp_path / "r.json"
    assert cli.main(["scan", ".", "--only", "RES-001", "-f", f"json={out}"]) == 1
    assert [(f["path"], f["line"]) for f in json.loads(out.read_text())["findings"]] == [("main.tf", 5)]
