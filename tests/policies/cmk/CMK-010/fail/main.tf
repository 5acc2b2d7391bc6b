resource "azurerm_key_vault" "standard" {
  name     = "kv"
  location = "westeurope"
  sku_name = "standard" # expect: CMK-010
}

resource "azurerm_key_vault_key" "software" {
  name         = "k"
  key_vault_id = azurerm_key_vault.standard.id
  key_type     = "RSA" # expect: CMK-010
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "google_kms_crypto_key" "software" { # expect: CMK-010
  name            = "k"
  key_ring        = "projects/p/locations/europe-west4/keyRings/r"
  rotation_period = "7776000s"
}
