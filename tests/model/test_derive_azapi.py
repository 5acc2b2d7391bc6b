"""Raw ARM resources (azapi) get an azurerm stand-in the CMK, residency and exit rules judge, from the
ARM type registry alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import build as model_stage
from scanner.model.resource import Model
from scanner.parse.files import parse_all
from scanner.config import Config
from scanner.discover import discover
from scanner.evaluate.conditions import judge
from scanner.evaluate.context import Context
from scanner.model.values import Unknown
from scanner.registries.arm_types import arm_mapping

ACCOUNT = '''
resource "azapi_resource" "sa" {{
  type      = "{type}"
  name      = "sa"
  location  = "westeurope"
  parent_id = "rg"
  body = {body}
}}
'''
CMK_BODY = '{ properties = { encryption = { keySource = "Microsoft.Keyvault", keyvaultproperties = { keyname = "k" } } } }'


def built(write, text: str) -> Model:
    root = write({"main.tf": text})
    sources, _ = discover(str(Path(root)))
    files, notices = parse_all(sources)
    assert notices == []
    return model_stage.build(files)


def stand_in(the_model: Model, rtype: str):
    found = the_model.by_type(rtype)
    return found[0] if found else None


def test_a_listed_arm_type_gets_a_stand_in_at_the_azapi_block(write):
    the_model = built(write, ACCOUNT.format(type="Microsoft.Storage/storageAccounts@2023-05-01",
                                            body='{ kind = "StorageV2", sku = { name = "Standard_RAGRS" } }'))
    account = stand_in(the_model, "azurerm_storage_account")
    assert (account.address, account.path.rsplit("/", 1)[-1], account.line) == ("azapi_resource.sa", "main.tf", 2)
    assert {k: v for k, v in account.values.items() if k != "blob_properties"} == {
        "location": "westeurope", "account_kind": "StorageV2", "account_replication_type": "RAGRS"}
    assert account.locations["location"] == 5
    assert account.chains["location"][0][1] == "attribute"     # the azapi block's own value: judged there


@pytest.mark.parametrize("arm_type", ["microsoft.storage/STORAGEACCOUNTS@2021-01-01", "Microsoft.Storage/storageAccounts"])
def test_arm_types_compare_case_insensitively_without_the_api_version(arm_type):
    assert arm_mapping("azapi_resource", arm_type).stands_for == "azurerm_storage_account"


@pytest.mark.parametrize("block, arm_type", [
    ("azapi_resource", "Microsoft.Network/virtualNetworks@2024-01-01"),   # not listed
    ("azapi_resource", Unknown("var.resource_types.storage_account")),     # not known statically
    ("azapi_update_resource", "Microsoft.KeyVault/vaults@2023-07-01"),     # no update mapping
])
def test_no_stand_in_without_a_listed_type(block, arm_type):
    assert arm_mapping(block, arm_type) is None


@pytest.mark.parametrize("body, expected", [
    (CMK_BODY, {"keyname": "k"}),
    ('jsonencode(' + CMK_BODY + ')', {"keyname": "k"}),                     # azapi v1: a JSON body
    ('{ properties = { encryption = { keySource = "Microsoft.Storage" } } }', None),
])
def test_the_customer_managed_key_is_read_from_the_body_when_the_key_source_is_key_vault(write, body, expected):
    the_model = built(write, ACCOUNT.format(type="Microsoft.Storage/storageAccounts@2023-05-01", body=body))
    assert stand_in(the_model, "azurerm_storage_account").values.get("customer_managed_key") == expected


def test_an_unknown_key_source_leaves_the_key_unknown(write):
    text = 'variable "source" {}\n' + ACCOUNT.format(
        type="Microsoft.Storage/storageAccounts@2023-05-01",
        body='{ properties = { encryption = { keySource = var.source } } }')
    value = stand_in(built(write, text), "azurerm_storage_account").values["customer_managed_key"]
    assert value == Unknown("var.source", kind="variable")


PATCH = '''
resource "azapi_update_resource" "key" {{
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = azapi_resource.sa.id
  body        = {{ properties = {{ encryption = {{ keySource = {source} }} }} }}
}}
'''
LINK = {"linked": {"type": "azurerm_storage_account_customer_managed_key", "via": "storage_account_id"}}


@pytest.mark.parametrize("source, state", [
    ('"Microsoft.Keyvault"', True),     # the patch stands for a customer-managed key of the account
    ('"Microsoft.Storage"', False),     # no stand-in: nothing links to the account
    ("var.source", None),               # may be the key: cannot tell
])
def test_an_update_resource_links_the_key_to_the_account(write, source, state):
    text = 'variable "source" {}\n' + ACCOUNT.format(type="Microsoft.Storage/storageAccounts@2023-05-01",
                                                    body='{ kind = "StorageV2" }') + PATCH.format(source=source)
    the_model = built(write, text)
    account = stand_in(the_model, "azurerm_storage_account")
    assert judge(account, LINK, None, Context(the_model, Config())).state is state


def test_a_key_vault_stand_in_carries_what_cmk_008_and_cmk_010_read(write):
    text = ACCOUNT.format(type="Microsoft.KeyVault/vaults@2023-07-01",
                          body='{ properties = { sku = { name = "premium" }, enablePurgeProtection = true, '
                               'softDeleteRetentionInDays = 30 } }')
    vault = stand_in(built(write, text), "azurerm_key_vault")
    assert vault.values == {"location": "westeurope", "sku_name": "premium", "purge_protection_enabled": True,
                            "soft_delete_retention_days": 30}


def test_settings_arm_keeps_in_child_resources_are_unknown_on_the_stand_in_not_absent(write):
    """Blob versioning and soft delete live in Microsoft.Storage/storageAccounts/blobServices: EXIT-003 cannot
    tell from the account alone, so it must not report their absence."""
    account = stand_in(built(write, ACCOUNT.format(type="Microsoft.Storage/storageAccounts@2023-05-01",
                                                   body='{ kind = "StorageV2" }')), "azurerm_storage_account")
    assert account.values["blob_properties"] == Unknown(
        "blob_properties (kept in the child resource Microsoft.Storage/storageAccounts/blobServices)", kind="expression")


AVM_LIKE = {
    "main.tf": '''resource "azapi_resource" "this" {
  location  = var.location
  name      = "sa1"
  parent_id = "/subscriptions/x/resourceGroups/rg"
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  body = {
    kind = "StorageV2"
    sku = {
      name = var.account_sku_name
    }
    properties = {
      supportsHttpsTrafficOnly = var.https_traffic_only_enabled
    }
  }
}
variable "location" {
  type = string
}
variable "account_sku_name" {
  type    = string
  default = "Standard_ZRS"
}
variable "https_traffic_only_enabled" {
  type    = bool
  default = true
}
''',
    "examples/demo/main.tf": '''module "this" {
  source           = "../.."
  location         = "eastus"
  account_sku_name = "Standard_GRS"
}
''',
    "prod/main.tf": '''resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}
''',
}


def test_a_body_entry_a_caller_passes_is_reported_where_the_caller_wrote_it(write, run_scan):
    """As the AVM storage account module: the replication comes from the example's account_sku_name, not from
    whichever variable the body read last; in demonstration code it is a note at the example's line."""
    result = run_scan(write(AVM_LIKE), only=("RES-005",))
    assert [(f.path, f.line, f.level) for f in result.findings] == [("examples/demo/main.tf", 4, "note")]
    assert "(passed to main.tf:6)" in result.findings[0].message
    assert ("main.tf", 23, "default") not in result.findings[0].chain   # https_traffic_only_enabled's default
