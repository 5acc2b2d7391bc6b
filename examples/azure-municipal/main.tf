# Gemeente Voorbeeldstad - landing-zone slice for the "zaakgericht werken" platform.
# Scan with: sovscan scan examples/azure-municipal

terraform {
  required_version = ">= 1.6"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "platform" {
  name     = "rg-${var.prefix}-platform"
  location = var.location
  tags     = var.tags
}

# --- Keys ---------------------------------------------------------------------------------------

resource "azurerm_key_vault" "platform" {
  name                       = "kv-${var.prefix}-platform"
  location                   = azurerm_resource_group.platform.location
  resource_group_name        = azurerm_resource_group.platform.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "premium"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
  enable_rbac_authorization  = true
}

resource "azurerm_key_vault_key" "storage" {
  name         = "cmk-storage"
  key_vault_id = azurerm_key_vault.platform.id
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_key_vault_key" "aks" {
  name         = "cmk-aks-etcd"
  key_vault_id = azurerm_key_vault.platform.id
  key_type     = "RSA-HSM"
  key_size     = 2048
  key_opts     = ["encrypt", "decrypt", "wrapKey", "unwrapKey"]
}

resource "azurerm_user_assigned_identity" "storage" {
  name                = "id-${var.prefix}-storage"
  location            = azurerm_resource_group.platform.location
  resource_group_name = azurerm_resource_group.platform.name
}

resource "azurerm_role_assignment" "storage_cmk" {
  scope                = azurerm_key_vault.platform.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.storage.principal_id
}

# --- Storage ------------------------------------------------------------------------------------

# Compliant: case files, encrypted with the municipality's own key (inline customer_managed_key).
resource "azurerm_storage_account" "zaken" {
  name                     = "st${var.prefix}zaken"
  resource_group_name      = azurerm_resource_group.platform.name
  location                 = azurerm_resource_group.platform.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  min_tls_version          = "TLS1_2"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.storage.id]
  }

  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.storage.versionless_id
    user_assigned_identity_id = azurerm_user_assigned_identity.storage.id
  }
}

# VIOLATION CMK-001: no customer_managed_key block and no azurerm_storage_account_customer_managed_key.
# VIOLATION RES-001: uksouth is in the UK (adequacy tier), outside the default EU tier.
# VIOLATION RES-005: GRS replicates to the paired region ukwest, also outside the EU.
resource "azurerm_storage_account" "logs" {
  name                     = "st${var.prefix}logs"
  resource_group_name      = azurerm_resource_group.platform.name
  location                 = "uksouth"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  min_tls_version          = "TLS1_2"
}

# Compliant: the archive account gets its key through a separate
# azurerm_storage_account_customer_managed_key resource (CMK-001 follows the link).
resource "azurerm_storage_account" "archief" {
  name                     = "st${var.prefix}archief"
  resource_group_name      = azurerm_resource_group.platform.name
  location                 = azurerm_resource_group.platform.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  min_tls_version          = "TLS1_2"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.storage.id]
  }
}

resource "azurerm_storage_account_customer_managed_key" "archief" {
  storage_account_id        = azurerm_storage_account.archief.id
  key_vault_id              = azurerm_key_vault.platform.id
  key_name                  = azurerm_key_vault_key.storage.name
  user_assigned_identity_id = azurerm_user_assigned_identity.storage.id
}

# Local module: its storage account takes its location from the `location` input.
module "publicaties" {
  source = "./modules/storage"

  name                      = "st${var.prefix}publicaties"
  resource_group_name       = azurerm_resource_group.platform.name
  location                  = var.location
  key_vault_key_id          = azurerm_key_vault_key.storage.versionless_id
  user_assigned_identity_id = azurerm_user_assigned_identity.storage.id
}

# --- Kubernetes (Haven) -------------------------------------------------------------------------

# Compliant: three zones (HAVEN-001) and etcd encryption with a Key Vault key (CMK-005).
resource "azurerm_kubernetes_cluster" "haven" {
  name                = "aks-${var.prefix}-haven"
  location            = azurerm_resource_group.platform.location
  resource_group_name = azurerm_resource_group.platform.name
  dns_prefix          = "${var.prefix}-haven"
  kubernetes_version  = "1.31"

  default_node_pool {
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    auto_scaling_enabled = true
    min_count            = 3
    max_count            = 6
    zones                = ["1", "2", "3"]
  }

  identity {
    type = "SystemAssigned"
  }

  key_management_service {
    key_vault_key_id = azurerm_key_vault_key.aks.id
  }
}

# --- Databases ----------------------------------------------------------------------------------

# VIOLATION SEC-001: administrator_login_password is a hard-coded literal.
resource "azurerm_mssql_server" "legacy" {
  name                         = "sql-${var.prefix}-legacy"
  resource_group_name          = azurerm_resource_group.platform.name
  location                     = azurerm_resource_group.platform.location
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = "Welkom01!"
  minimum_tls_version          = "1.2"
}

# Compliant: the password comes from a variable marked sensitive (set via TF_VAR_sql_admin_password).
resource "azurerm_mssql_server" "zaken" {
  name                         = "sql-${var.prefix}-zaken"
  resource_group_name          = azurerm_resource_group.platform.name
  location                     = azurerm_resource_group.platform.location
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_admin_password
  minimum_tls_version          = "1.2"
}
