resource "azurerm_key_vault" "premium" {
  name     = "kv"
  location = "westeurope"
  sku_name = "premium"
}

resource "azurerm_key_vault_key" "hsm" {
  name         = "k"
  key_vault_id = azurerm_key_vault.premium.id
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "google_kms_crypto_key" "hsm" {
  name            = "k"
  key_ring        = "projects/p/locations/europe-west4/keyRings/r"
  rotation_period = "7776000s"
  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = "HSM"
  }
}

resource "google_kms_crypto_key" "external" {
  name     = "ekm"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
  version_template {
    algorithm        = "EXTERNAL_SYMMETRIC_ENCRYPTION"
    protection_level = "EXTERNAL_VPC"
  }
}
