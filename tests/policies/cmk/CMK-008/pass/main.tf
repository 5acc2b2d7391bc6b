variable "purge_protection" {
  default = true
}

resource "azurerm_key_vault" "kv" {
  name                       = "kv"
  location                   = "westeurope"
  sku_name                   = "premium"
  purge_protection_enabled   = var.purge_protection
  soft_delete_retention_days = 90
}

resource "azurerm_key_vault_managed_hardware_security_module" "hsm" {
  name                     = "hsm"
  location                 = "westeurope"
  sku_name                 = "Standard_B1"
  purge_protection_enabled = true
}

resource "aws_kms_key" "default_window" {
  enable_key_rotation = true
}

resource "aws_kms_key" "week_window" {
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "google_kms_crypto_key" "default_destroy" {
  name     = "k1"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
}

resource "google_kms_crypto_key" "long_destroy" {
  name                       = "k2"
  key_ring                   = "projects/p/locations/europe-west4/keyRings/r"
  destroy_scheduled_duration = "2592000s"
}
