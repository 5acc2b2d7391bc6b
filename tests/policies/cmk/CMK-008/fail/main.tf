resource "azurerm_key_vault" "no_purge_protection" { # expect: CMK-008
  name     = "kv1"
  location = "westeurope"
  sku_name = "standard"
}

resource "azurerm_key_vault" "purge_protection_off" {
  name                     = "kv2"
  location                 = "westeurope"
  sku_name                 = "premium"
  purge_protection_enabled = false # expect: CMK-008
}

resource "azurerm_key_vault_managed_hardware_security_module" "hsm" { # expect: CMK-008
  name     = "hsm"
  location = "westeurope"
  sku_name = "Standard_B1"
}

resource "google_kms_crypto_key" "short_destroy" {
  name                       = "k"
  key_ring                   = "projects/p/locations/europe-west4/keyRings/r"
  destroy_scheduled_duration = "86400s" # expect: CMK-008
}
