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
from scanner.model.rendered import Place
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


@pytest.mark.parametrize("body, why", [
    ('jsonencode("x")', "a body that is not an object (a string)"),     # JSON text, but of no object
    ('["a"]', "a body that is not an object (a list)"),
    ("42", "a body that is not an object (a number)"),
    ('"{ not json"', "a body that is not JSON"),
    ("var.body", "var.body"),
])
def test_a_body_that_is_no_object_leaves_every_attribute_unknown_not_absent(write, body, why):
    """A Key Vault whose body was not a map read as one with nothing set: CMK-008 said purge protection was off."""
    text = 'variable "body" {}\n' + ACCOUNT.format(type="Microsoft.KeyVault/vaults@2023-07-01", body=body)
    vault = stand_in(built(write, text), "azurerm_key_vault")
    assert isinstance(vault.values["purge_protection_enabled"], Unknown)
    assert vault.values["purge_protection_enabled"].reason == why


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


# --- settings ARM keeps in a child resource, read from the child's azapi block --------------------------------
SA = '''resource "azapi_resource" "sa" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "sa"
  location  = "westeurope"
  parent_id = "rg"
  body      = { kind = "StorageV2" }
}
variable "account_id" {}
variable "n" {}
'''
BLOB = '''resource "{block}" "blob" {{
  type      = "Microsoft.Storage/storageAccounts/blobServices@2023-05-01"
  {link}
  body = {{
    properties = {properties}
  }}
}}
'''
CHILD = 'parent_id = azapi_resource.sa.id'


def blob(properties: str, link: str = CHILD, block: str = "azapi_resource") -> str:
    return BLOB.format(block=block, link=link, properties=properties)


def exit_003(run_scan, write, files: dict[str, str]) -> tuple[list, list]:
    result = run_scan(write(files), only=("EXIT-003",))
    return ([(f.path, f.line, f.policy_id) for f in result.findings],
            [(f.path, f.line, f.policy_id) for f in result.unresolved])


@pytest.mark.parametrize("files, findings", [
    ({"blob.tf": blob("{ isVersioningEnabled = true }")}, []),
    ({"blob.tf": blob("{ deleteRetentionPolicy = { enabled = true, days = 7 } }")}, []),
    # in another file, at the child's body: where the setting is changed
    ({"blob.tf": blob("{ deleteRetentionPolicy = { enabled = true, days = 3 } }")}, [("blob.tf", 4, "EXIT-003")]),
    ({"blob.tf": blob("{ deleteRetentionPolicy = { enabled = false, days = 30 } }")}, [("blob.tf", 4, "EXIT-003")]),
    # a child written whole: what its body leaves out takes the ARM default (off)
    ({"blob.tf": blob("{ isVersioningEnabled = false }")}, [("blob.tf", 4, "EXIT-003")]),
    ({"blob.tf": blob("{ isVersioningEnabled = true }", 'resource_id = "${azapi_resource.sa.id}/blobServices/default"',
                      "azapi_update_resource")}, []),
    # a patch says only what it writes: another one's versioning decides
    ({"blob.tf": blob("{ isVersioningEnabled = true }", block="azapi_update_resource"),
      "web.tf": blob("{ staticWebsite = { enabled = true } }", block="azapi_update_resource").replace('"blob"', '"web"')}, []),
])
def test_a_child_blob_service_decides_what_the_account_keeps(run_scan, write, files, findings):
    assert exit_003(run_scan, write, {"main.tf": SA, **files}) == (findings, [])


@pytest.mark.parametrize("files, where, why", [
    ({}, ("main.tf", 1), "kept in the child resource"),                           # no child in the scan
    ({"blob.tf": blob("{ isVersioningEnabled = true }",                            # a string no block of the scan has
                      'parent_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"')},
     ("main.tf", 1), "kept in the child resource"),
    # located at the child that may be the account's: its link is what to make plain
    ({"blob.tf": blob("{ isVersioningEnabled = true }", "parent_id = var.account_id")},
     ("blob.tf", 4), "azapi_resource.blob.parent_id = var.account_id, which may be azapi_resource.sa's id"),
    ({"blob.tf": blob("{ isVersioningEnabled = true }", "count     = var.n\n  " + CHILD)},
     ("blob.tf", 5), "whether azapi_resource.blob exists (var.n)"),
    ({"blob.tf": blob("{ isVersioningEnabled = true }", "parent_id = azapi_resource.sa.name")},
     ("blob.tf", 4), "whether azapi_resource.blob.parent_id names azapi_resource.sa"),
    ({"web.tf": blob("{ staticWebsite = { enabled = true } }", block="azapi_update_resource")},   # a patch of another setting
     ("web.tf", 4), "which azapi_update_resource.blob does not set"),
    ({"blob.tf": blob("{ isVersioningEnabled = true }"),                               # two children disagree
      "patch.tf": blob("{ isVersioningEnabled = false }", block="azapi_update_resource").replace('"blob"', '"patch"')},
     ("blob.tf", 4), "azapi_resource.blob and azapi_update_resource.patch set it differently"),
    ({"blob.tf": blob("{ isVersioningEnabled = true }", block="azapi_update_resource"),
      "other.tf": blob("{ isVersioningEnabled = false }", "parent_id = var.account_id").replace('"blob"', '"other"')},
     ("other.tf", 4), "which may be azapi_resource.sa's id"),
])
def test_a_child_that_cannot_be_tied_to_the_account_leaves_it_unresolved(run_scan, write, files, where, why):
    result = run_scan(write({"main.tf": SA, **files}), only=("EXIT-003",))
    assert result.findings == []
    assert [(f.path, f.line, f.policy_id) for f in result.unresolved] == [(*where, "EXIT-003")]
    assert why in result.unresolved[0].message


def test_a_child_of_one_of_several_instances_leaves_each_unresolved(run_scan, write):
    """`azapi_resource.sa[each.key].id` names the account without its instance key once evaluated: which
    instance a child sits under is not known, so none of them takes its settings."""
    account = SA.replace('  name      = "sa"', '  for_each  = toset(["a", "b"])\n  name      = each.key')
    child = blob("{ isVersioningEnabled = true }", "for_each  = toset([\"a\", \"b\"])\n  parent_id = azapi_resource.sa[each.key].id")
    result = run_scan(write({"main.tf": account, "blob.tf": child}), only=("EXIT-003",))
    assert result.findings == []
    assert sorted({(f.path, f.line, f.policy_id) for f in result.unresolved}) == [("blob.tf", 5, "EXIT-003")]
    assert 'which instance of azapi_resource.sa azapi_resource.blob["a"].parent_id names' in result.unresolved[0].message


def test_a_child_setting_is_located_at_the_child_with_its_chain(write):
    root = write({"main.tf": SA, "blob.tf": blob("{ isVersioningEnabled = true }")})
    sources, _ = discover(str(Path(root)))
    files, _ = parse_all(sources)
    account = stand_in(model_stage.build(files), "azurerm_storage_account")
    assert account.values["blob_properties"] == {"versioning_enabled": True}
    assert account.place_of("blob_properties.versioning_enabled") == Place("blob.tf", 4)
    assert account.place_of("location") == Place("main.tf", 4)     # its own attributes stay in its block
    assert account.chain_of("blob_properties.versioning_enabled")[1] == (Place("blob.tf", 4), "attribute")


SERVER = '''variable "body" {}

resource "azapi_resource" "pg" {
  type      = "Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview"
  name      = "pg"
  location  = "westeurope"
  parent_id = "rg"
  body      = BODY
}
'''


@pytest.mark.parametrize("body, findings, unresolved", [
    ('jsonencode({ properties = { backup = { backupRetentionDays = 3 } } })', 1, 0),   # read: 3 days is short
    ('jsonencode({ properties = { backup = { backupRetentionDays = 14 } } })', 0, 0),
    ("var.body", 0, 1),
    ('jsonencode([{ properties = { backup = { backupRetentionDays = 3 } } }, 1])', 0, 1),
    # JSON text of a list of one object is a list, not the object (it was read as one: a finding, or a pass)
    ('jsonencode([{ properties = { backup = { backupRetentionDays = 3 } } }])', 0, 1),
    ('jsonencode([{ properties = { backup = { backupRetentionDays = 14 } } }])', 0, 1),
])
def test_exit_003_reads_a_json_body_and_leaves_any_other_unresolved(write, run_scan, body, findings, unresolved):
    result = run_scan(write({"main.tf": SERVER.replace("BODY", body)}), only=("EXIT-003",))
    assert (len(result.findings), len(result.unresolved)) == (findings, unresolved)
