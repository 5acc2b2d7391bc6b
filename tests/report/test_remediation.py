"""The fix a finding shows: the one its policy wrote for the resource's type, else for its provider, else the
default."""
from scanner.report.model import remediation


def test_a_fix_written_for_the_type_is_the_one_its_findings_show(catalogue):
    policy = {p.id: p for p in catalogue}["EXIT-003"]
    storage = remediation(policy, "azurerm_storage_account")
    assert "versioning_enabled" in storage and "disk" not in storage
    assert "auto_backup" in remediation(policy, "azurerm_mssql_virtual_machine")
    assert remediation(policy, "azurerm_storage_account", "nl").startswith("Zet blob_properties")


def test_a_type_without_a_fix_of_its_own_gets_its_providers_then_the_default(catalogue):
    policy = {p.id: p for p in catalogue}["EXIT-003"]
    assert remediation(policy, "azurerm_mssql_database") == policy.remediation["azurerm"]
    assert remediation(policy, "aws_db_instance") == policy.remediation["aws"]
    assert remediation(policy, "oci_database_db_system") == policy.remediation["default"]


def test_a_check_with_a_fix_of_its_own_shows_it_for_its_findings(catalogue, write, run_scan):
    policy = {p.id: p for p in catalogue}["SEC-006"]
    assert remediation(policy, "terraform_backend", "en", 1).startswith("Set encrypt = true and kms_key_id")
    assert remediation(policy, "terraform_backend", "nl", 2).startswith("Zet in de gcs-backend kms_encryption_key")
    root = write({"main.tf": 'terraform {\n  backend "gcs" {\n    bucket = "state"\n  }\n}\n'})
    [finding] = run_scan(root, only=("SEC-006",)).findings
    assert finding.check == 2 and "kms_encryption_key" in remediation(policy, finding.resource_type, "en", finding.check)
    assert "use_azuread_auth" not in remediation(policy, finding.resource_type, "en", finding.check)


def test_a_check_without_a_fix_of_its_own_gets_the_policys(catalogue):
    policy = {p.id: p for p in catalogue}["EXIT-003"]
    assert remediation(policy, "aws_db_instance", "en", 0) == policy.remediation["aws"]
    assert remediation(policy, "aws_db_instance", "en", 99) == policy.remediation["aws"]   # a forged index


def test_a_credential_in_a_backend_block_is_fixed_outside_the_code(catalogue, write, run_scan):
    """A backend block cannot read variables: SEC-001's usual fix (a sensitive variable) cannot apply there."""
    policy = {p.id: p for p in catalogue}["SEC-001"]
    root = write({"main.tf": 'terraform {\n  backend "azurerm" {\n    access_key = "c2VjcmV0LWtleS12YWx1ZQ=="\n  }\n}\n'})
    [finding] = run_scan(root, only=("SEC-001",)).findings
    fix = remediation(policy, finding.resource_type, "en", finding.check)
    assert "ARM_ACCESS_KEY" in fix and "sensitive variable" not in fix
    assert "ARM_ACCESS_KEY" in remediation(policy, finding.resource_type, "nl", finding.check)


def test_an_azapi_block_judged_as_an_azurerm_resource_gets_the_fix_in_azapi_terms(catalogue, write, run_scan):
    """A Key Vault written as an azapi_resource is judged as azurerm_key_vault; its fix names the ARM body's
    properties, not azurerm's purge_protection_enabled. A policy without an azapi fix falls back to the azurerm
    one."""
    root = write({"main.tf": 'resource "azapi_resource" "vault" {\n  type      = "Microsoft.KeyVault/vaults@2023-07-01"\n'
                             '  name      = "kv"\n  location  = "westeurope"\n  parent_id = "/subscriptions/s/resourceGroups/rg"\n'
                             '  body = { properties = { sku = { name = "standard" }, enablePurgeProtection = false } }\n}\n'})
    policies = {p.id: p for p in catalogue}
    [finding] = run_scan(root, only=("CMK-008",)).findings
    assert (finding.path, finding.line, finding.resource_type) == ("main.tf", 6, "azurerm_key_vault")
    fix = remediation(policies["CMK-008"], finding.resource_type, "en", finding.check, finding.address)
    assert fix.startswith("Set body.properties.enablePurgeProtection = true") and "purge_protection_enabled" not in fix
    assert remediation(policies["CMK-008"], finding.resource_type, "nl", finding.check, finding.address) \
        .startswith("Zet body.properties.enablePurgeProtection = true")
    assert remediation(policies["CMK-008"], "azurerm_key_vault", "en", 0, "azurerm_key_vault.kv") == \
        policies["CMK-008"].remediation["azurerm"]
    assert remediation(policies["CMK-007"], "azurerm_key_vault", "en", 0, "module.m.azapi_resource.vault") == \
        policies["CMK-007"].remediation["azurerm"]
