from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model.values import Unknown
from scanner.parse.plan import AFTER_APPLY, NO_DEFAULT, ModuleCall, SensitiveValue, parse_plan, read_plan

FIXTURE = Path(__file__).parent / "plans" / "plan.json"
AFTER = Unknown(AFTER_APPLY, kind="computed")


@pytest.fixture(scope="module")
def plan():
    return read_plan(str(FIXTURE))


def test_root_variables_and_the_sensitive_one_is_wrapped(plan) -> None:
    assert plan.format_version == "1.2" and plan.terraform_version == "1.9.8"
    assert plan.variables["location"] == "westeurope"
    assert plan.variables["regions"] == ["eu", "nl"]
    assert plan.variables["admin_password"] == SensitiveValue("hunter2-do-not-print")
    shown = f"{plan.variables['admin_password']} {plan.variables['admin_password']!r} {plan}"
    assert "hunter2" not in shown


@pytest.mark.parametrize("address, module, mode, index, values", [
    ("azurerm_resource_group.rg", "", "managed", None, {"location": "westeurope", "name": "rg-prod", "tags": {"env": "prod"}}),
    ("data.azurerm_location.here", "", "data", None, {"location": "westeurope", "display_name": "West Europe", "zone_mappings": []}),
    ('module.storage["eu"].module.kv.azurerm_key_vault_key.cmk', 'module.storage["eu"].module.kv', "managed", None,
     {"key_type": "RSA-HSM", "key_size": 3072}),
    ('module.storage["nl"].azurerm_storage_account.this', 'module.storage["nl"]', "managed", None,
     {"name": "stnlprod", "location": "westeurope", "account_replication_type": "GRS"}),
    ("module.workers[0].aws_instance.this[0]", "module.workers[0]", "managed", 0, {"instance_type": "t3.micro", "tags": {"Name": "w0"}}),
    ("module.workers[1].aws_instance.this[0]", "module.workers[1]", "managed", 0,
     {"instance_type": "t3.micro", "tags": {"Name": "w1"}, "id": AFTER, "arn": AFTER}),
])
def test_planned_values_by_full_address(plan, address, module, mode, index, values) -> None:
    resource = plan.planned[address]
    assert (resource.module, resource.mode, resource.index) == (module, mode, index)
    assert dict(resource.values) == values


def test_known_after_apply_is_unknown_and_sensitive_is_wrapped(plan) -> None:
    account = plan.planned['module.storage["eu"].azurerm_storage_account.this']
    assert account.actions == ("create",)
    assert account.values["id"] == AFTER
    assert account.values["primary_access_key"] == AFTER             # unknown wins over sensitive
    assert account.values["customer_managed_key"] == [{"key_vault_key_id": AFTER, "user_assigned_identity_id": "uai-1"}]
    assert account.values["network_rules"] == [{"ip_rules": ["10.0.0.1", AFTER], "default_action": "Deny"}]
    assert plan.planned["module.workers[1].aws_instance.this[0]"].actions == ("delete", "create")
    assert plan.planned["azurerm_resource_group.rg"].actions == ("update",)
    assert plan.planned["data.azurerm_location.here"].actions == ()


def test_prior_state_values_and_sensitive_state_values(plan) -> None:
    assert plan.prior["azurerm_resource_group.rg"].values["location"] == "northeurope"
    config = plan.prior["data.azurerm_client_config.current"]
    assert config.values["tenant_id"] == "1111"
    assert isinstance(config.values["client_secret"], SensitiveValue)
    assert "s3cr3t" not in repr(dict(config.values))
    assert "module.workers[1].aws_instance.old" not in plan.planned   # deposed objects are not instances


def test_module_calls_with_source_and_version(plan) -> None:
    assert dict(plan.module_calls) == {
        "module.storage": ModuleCall("module.storage", "./modules/storage", "", True),
        "module.storage.module.kv": ModuleCall("module.storage.module.kv", "Azure/avm-res-keyvault-vault/azurerm", "~> 0.9", False),
        "module.workers": ModuleCall("module.workers", "terraform-aws-modules/ec2-instance/aws", "5.6.1", True),
    }
    assert plan.notices == ()


def test_the_plan_is_frozen(plan) -> None:
    with pytest.raises(TypeError):
        plan.variables["location"] = "x"          # type: ignore[index]
    with pytest.raises(AttributeError):
        plan.path = "x"                           # type: ignore[misc]


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("mutate, notice", [
    (lambda d: d.update(variables=["x"]), "variables is not an object"),
    (lambda d: d["variables"].update(bad={"no": "value"}), "variable 'bad' has no value"),
    (lambda d: d["planned_values"]["root_module"]["resources"].append({"mode": "managed"}), "a resource without type and name"),
    (lambda d: d["planned_values"]["root_module"]["child_modules"].append({"resources": []}), "a child module without an address"),
    (lambda d: d.update(resource_changes={"a": 1}), "resource_changes is not a list"),
    (lambda d: d["configuration"]["root_module"]["module_calls"].update(bad="x"), "module call 'bad' is not an object"),
    (lambda d: d["planned_values"].update(root_module=[]), "planned_values.root_module is not an object"),
])
def test_unexpected_shapes_are_notices_and_the_rest_is_read(mutate, notice) -> None:
    data = _fixture()
    mutate(data)
    plan = parse_plan("plan.json", data)
    assert any(notice in n.message and n.path == "plan.json" for n in plan.notices), plan.notices
    assert plan.prior["azurerm_resource_group.rg"].values["location"] == "northeurope"


def test_a_minimal_plan_and_addresses_built_when_missing() -> None:
    data = {"format_version": "1.0", "planned_values": {"root_module": {"child_modules": [{"address": "module.m[\"k\"]", "resources": [
        {"mode": "data", "type": "t", "name": "n", "index": "a b", "values": {"x": 1}}]}]}}}
    plan = parse_plan("p.json", data)
    assert list(plan.planned) == ['module.m["k"].data.t.n["a b"]']
    assert plan.variables == {} and plan.module_calls == {} and plan.prior == {}


@pytest.mark.parametrize("content, message", [
    ("{not json", "not JSON"),
    ('{"format_version": "1.0", "values": {"root_module": {}}}', "not a Terraform JSON plan"),
    ('{"version": 4, "resources": []}', "not a Terraform JSON plan"),
    ("[]", "not a Terraform JSON plan"),
    ('{"format_version": "2.0", "planned_values": {}}', "unsupported plan format_version '2.0'"),
    ("[" * 100_000, "not JSON"),
])
def test_files_that_are_not_plans_are_input_errors_naming_the_file(tmp_path, content, message) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as error:
        read_plan(str(path))
    assert str(path) in str(error.value)


def test_missing_and_huge_files(tmp_path, monkeypatch) -> None:
    with pytest.raises(InputError, match="cannot read the plan"):
        read_plan(str(tmp_path / "missing.json"))
    monkeypatch.setattr("scanner.parse.plan.MAX_PLAN_BYTES", 10)
    with pytest.raises(InputError, match="larger than"):
        read_plan(str(FIXTURE))


def test_deeply_nested_modules_are_bounded() -> None:
    root: dict = {"resources": []}
    current = root
    for depth in range(100):
        child = {"address": f"module.m{depth}", "resources": [{"type": "t", "name": "n", "values": {}}]}
        current["child_modules"] = [child]
        current = child
    plan = parse_plan("p.json", {"format_version": "1.0", "planned_values": {"root_module": copy.deepcopy(root)}})
    assert len(plan.planned) == 64 and any("nested more than 64" in n.message for n in plan.notices)


def test_the_root_modules_configuration_is_kept_for_matching_the_plan_to_its_root(plan) -> None:
    configuration = plan.configuration
    assert configuration is not None
    assert dict(configuration.resources) == {"azurerm_resource_group.rg": {}}   # location is a reference
    assert dict(configuration.variables) == {"location": "westeurope", "admin_password": NO_DEFAULT,
                                             "regions": NO_DEFAULT}
    assert dict(configuration.module_sources) == {"storage": "./modules/storage",
                                                  "workers": "terraform-aws-modules/ec2-instance/aws"}
    assert configuration.outputs == ()


def test_a_sensitive_default_and_odd_configuration_entries_are_left_out() -> None:
    data = {"format_version": "1.2", "configuration": {"root_module": {
        "variables": {"token": {"default": "s3cret", "sensitive": True}, "size": {"default": 3}, "bad": "x"},
        "resources": [{"address": "aws_s3_bucket.b", "mode": "managed",
                       "expressions": {"bucket": {"constant_value": "logs"}, "acl": {"references": ["var.acl"]}}},
                      {"address": "data.aws_region.r", "mode": "data"}, "not a resource"],
        "module_calls": {"net": {"source": "./net"}, "odd": {"source": 7}},
        "outputs": {"id": {"expression": {}}}}}}
    configuration = parse_plan("p.json", data).configuration
    assert configuration is not None
    assert dict(configuration.variables) == {"token": NO_DEFAULT, "size": 3}
    assert {k: dict(v) for k, v in configuration.resources.items()} == {"aws_s3_bucket.b": {"bucket": "logs"}}
    assert dict(configuration.module_sources) == {"net": "./net"}
    assert configuration.outputs == ("id",)


def test_a_plan_without_configuration_has_none() -> None:
    assert parse_plan("p.json", {"format_version": "1.2", "planned_values": {}}).configuration is None
