"""A plan is used for the root module it was made in. prod/ and dev/ built from one template declare the same
resources; a plan of prod must never judge dev's code, and when nothing tells the two apart the plan is not
used (its values stay unresolved) and a notice says why."""
from __future__ import annotations

import json
from pathlib import Path

from scanner import cli
from tests.integration.test_plan_values import MAIN, resource

ENVIRONMENT = '''variable "environment" {{
  default = "{name}"
}}
'''


def plan(location: str, configuration: dict | None = None, variables: dict | None = None) -> dict:
    body = {
        "format_version": "1.2", "terraform_version": "1.9.5",
        "variables": {name: {"value": value} for name, value in (variables or {}).items()},
        "planned_values": {"root_module": {"resources": [
            resource("data.azurerm_resource_group.shared", "data", "azurerm_resource_group", "shared",
                     {"name": "rg-shared", "location": location}),
            resource("azurerm_storage_account.data", "managed", "azurerm_storage_account", "data",
                     {"name": "stdata", "location": location})]}},
        "resource_changes": [],
    }
    if configuration is not None:
        body["configuration"] = {"root_module": configuration}
    return body


def scan(tmp_path: Path, monkeypatch, files: dict[str, str], body: dict, plan_at: str) -> dict:
    root = tmp_path / "repo"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (tmp_path / plan_at).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / plan_at).write_text(json.dumps(body), encoding="utf-8")
    monkeypatch.chdir(root)
    cli.main(["scan", ".", "--plan", str(Path("..") / plan_at), "--only", "RES-001",
              "-f", f"json={tmp_path / 'r.json'}", "--show-unresolved"])
    return json.loads((tmp_path / "r.json").read_text())


def outcome(report: dict) -> tuple[list, list]:
    return ([(f["path"], f["line"], f["address"]) for f in report["findings"]],
            sorted((u["path"], u["line"], u["address"]) for u in report["unresolved"]))


TWINS = {"prod/main.tf": MAIN.split("module")[0], "dev/main.tf": MAIN.split("module")[0]}


def test_a_plan_kept_in_its_root_module_goes_to_that_root_even_when_another_declares_the_same(tmp_path, monkeypatch):
    report = scan(tmp_path, monkeypatch, TWINS, plan("eastus"), "repo/prod/plan.json")
    assert outcome(report) == ([("prod/main.tf", 6, "azurerm_storage_account.data")],
                               [("dev/main.tf", 6, "azurerm_storage_account.data")])
    assert "eastus" in report["findings"][0]["message"]
    assert not any("fits the root modules" in n["message"] for n in report["notices"])


def test_a_plan_that_fits_two_root_modules_equally_is_not_used_and_says_so(tmp_path, monkeypatch):
    report = scan(tmp_path, monkeypatch, TWINS, plan("eastus"), "plans/plan.json")
    assert outcome(report) == ([], [("dev/main.tf", 6, "azurerm_storage_account.data"),
                                    ("prod/main.tf", 6, "azurerm_storage_account.data")])
    assert [(n["path"], n["message"]) for n in report["notices"] if "plan" in n["message"]] == [
        ("../plans/plan.json", "the plan fits the root modules dev and prod equally (the same resources, and "
                               "neither its location nor its configuration tells them apart); it is not used: keep "
                               "the plan in the directory of the root module it was made in")]


def test_the_plans_configuration_tells_twin_root_modules_apart(tmp_path, monkeypatch):
    files = {"prod/main.tf": TWINS["prod/main.tf"] + ENVIRONMENT.format(name="prod"),
             "dev/main.tf": TWINS["dev/main.tf"] + ENVIRONMENT.format(name="dev")}
    recorded = {"variables": {"environment": {"default": "prod"}},
                "resources": [{"address": "azurerm_storage_account.data", "mode": "managed",
                               "type": "azurerm_storage_account", "name": "data",
                               "expressions": {"name": {"constant_value": "stdata"}}}]}
    report = scan(tmp_path, monkeypatch, files, plan("eastus", configuration=recorded), "plans/plan.json")
    assert outcome(report) == ([("prod/main.tf", 6, "azurerm_storage_account.data")],
                               [("dev/main.tf", 6, "azurerm_storage_account.data")])


def test_the_plans_variable_values_tell_twin_root_modules_apart_by_their_tfvars(tmp_path, monkeypatch):
    variable = 'variable "environment" {}\n'
    files = {"prod/main.tf": TWINS["prod/main.tf"] + variable, "prod/terraform.tfvars": 'environment = "prod"\n',
             "dev/main.tf": TWINS["dev/main.tf"] + variable, "dev/terraform.tfvars": 'environment = "dev"\n'}
    report = scan(tmp_path, monkeypatch, files, plan("eastus", variables={"environment": "dev"}), "plans/plan.json")
    assert outcome(report) == ([("dev/main.tf", 6, "azurerm_storage_account.data")],
                               [("prod/main.tf", 6, "azurerm_storage_account.data")])


def test_a_plan_goes_to_the_root_module_whose_resources_it_names_most_wherever_it_is_kept(tmp_path, monkeypatch):
    extra = 'resource "azurerm_storage_account" "logs" {\n  name     = "stlogs"\n  location = "westeurope"\n}\n'
    files = {"prod/main.tf": TWINS["prod/main.tf"] + extra, "dev/main.tf": TWINS["dev/main.tf"]}
    body = plan("eastus")
    body["planned_values"]["root_module"]["resources"].append(
        resource("azurerm_storage_account.logs", "managed", "azurerm_storage_account", "logs",
                 {"name": "stlogs", "location": "westeurope"}))
    report = scan(tmp_path, monkeypatch, files, body, "repo/dev/plan.json")
    assert outcome(report) == ([("prod/main.tf", 6, "azurerm_storage_account.data")],
                               [("dev/main.tf", 6, "azurerm_storage_account.data")])
