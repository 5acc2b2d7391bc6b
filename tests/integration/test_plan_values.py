"""A JSON plan (terraform show -json) is a source of values: data sources and attributes known only after
apply resolve, resources only the plan knows are judged at their module call, and every finding stays on a
.tf line, never on the plan."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import cli

MAIN = '''data "azurerm_resource_group" "shared" {
  name = "rg-shared"
}
resource "azurerm_storage_account" "data" {
  name     = "stdata"
  location = data.azurerm_resource_group.shared.location
}
module "network" {
  source  = "example/network/azurerm"
  version = "2.0.0"
}
'''


def resource(address: str, mode: str, rtype: str, name: str, values: dict, index=None) -> dict:
    entry = {"address": address, "mode": mode, "type": rtype, "name": name,
             "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
             "values": values, "sensitive_values": {}}
    if index is not None:
        entry["index"] = index
    return entry


def plan(location: str, module_location: str, secret: bool = False) -> dict:
    storage = {"name": "stdata", "location": location}
    vnet = resource("module.network.azurerm_virtual_network.main", "managed", "azurerm_virtual_network", "main",
                    {"name": "vnet", "location": module_location})
    return {
        "format_version": "1.2", "terraform_version": "1.9.5",
        "variables": {},
        "planned_values": {"root_module": {
            "resources": [resource("data.azurerm_resource_group.shared", "data", "azurerm_resource_group", "shared",
                                   {"name": "rg-shared", "location": location}),
                          resource("azurerm_storage_account.data", "managed", "azurerm_storage_account", "data",
                                   storage)],
            "child_modules": [{"address": "module.network", "resources": [vnet]}]}},
        "resource_changes": [],
        "configuration": {"root_module": {"module_calls": {"network": {
            "source": "example/network/azurerm", "version_constraint": "2.0.0", "module": {}}}}},
    }


def scan(write, tmp_path: Path, body: dict | None, *extra: str) -> tuple[int, list[dict], list[dict]]:
    root = write({"infra/main.tf": MAIN})
    args = ["scan", str(root / "infra"), "--only", "RES-001", "-f", f"json={tmp_path / 'r.json'}"]
    if body is not None:
        (tmp_path / "plan.json").write_text(json.dumps(body), encoding="utf-8")
        args += ["--plan", str(tmp_path / "plan.json")]
    code = cli.main(args + list(extra) + ["--show-unresolved"])
    report = json.loads((tmp_path / "r.json").read_text())
    return code, report["findings"], report["unresolved"]


def test_without_a_plan_the_data_source_location_is_unresolved(write, tmp_path):
    code, findings, unresolved = scan(write, tmp_path, None)
    assert code == 0 and findings == []
    assert [(u["address"], u["line"]) for u in unresolved] == [("azurerm_storage_account.data", 6)]


def test_the_plan_turns_a_data_source_location_into_a_finding_on_the_tf_line(write, tmp_path):
    code, findings, _ = scan(write, tmp_path, plan("eastus", "westeurope"))
    assert code == 1
    assert [(f["path"].rsplit("/", 1)[-1], f["line"], f["address"]) for f in findings] == \
        [("main.tf", 6, "azurerm_storage_account.data")]
    assert "eastus" in findings[0]["message"] and "set in the plan" in findings[0]["message"]


def test_a_resource_only_the_plan_knows_is_judged_at_its_module_call(write, tmp_path):
    code, findings, _ = scan(write, tmp_path, plan("westeurope", "centralus"))
    assert code == 1
    assert [(f["line"], f["address"]) for f in findings] == [(8, "module.network.azurerm_virtual_network.main")]
    assert not any(f["path"].endswith(".json") for f in findings)


def test_a_plan_of_other_code_is_a_notice_not_a_crash(write, tmp_path):
    other = plan("eastus", "eastus")
    other["planned_values"]["root_module"]["resources"] = [
        resource("aws_s3_bucket.logs", "managed", "aws_s3_bucket", "logs", {"bucket": "logs"})]
    other["planned_values"]["root_module"]["child_modules"] = []
    code, findings, _ = scan(write, tmp_path, other)
    report = json.loads((tmp_path / "r.json").read_text())
    assert any(n["message"].startswith("1 planned resource is not in the scanned code") for n in report["notices"])
    assert findings == []


def test_a_file_that_is_not_a_plan_exits_2(write, tmp_path, capsys):
    root = write({"main.tf": MAIN})
    (tmp_path / "x.json").write_text('{"hello": 1}', encoding="utf-8")
    assert cli.main(["scan", str(root), "--plan", str(tmp_path / "x.json")]) == 2
    assert "not a Terraform JSON plan" in capsys.readouterr().err
