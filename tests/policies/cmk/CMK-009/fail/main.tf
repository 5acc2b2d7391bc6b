resource "azurerm_key_vault_key" "no_policy" { # expect: CMK-009
  name         = "k1"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_key_vault_key" "expiry_only" {
  name         = "k2"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy { # expect: CMK-009
    expire_after = "P1Y"
  }
}

resource "aws_kms_key" "no_rotation" { # expect: CMK-009
  description = "data"
}

resource "aws_kms_key" "slow_rotation" {
  enable_key_rotation     = true
  rotation_period_in_days = 730 # expect: CMK-009
}

resource "google_kms_crypto_key" "no_rotation" { # expect: CMK-009
  name     = "k"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
}

resource "google_kms_crypto_key" "two_years" {
  name            = "k2"
  key_ring        = "projects/p/locations/europe-west4/keyRings/r"
  rotation_period = "63072000s" # expect: CMK-009
}

resource "azurerm_key_vault_key" "rotates_every_five_years" {
  name         = "k3"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_after_creation = "P5Y" # expect: CMK-009
    }
    expire_after = "P6Y"
  }
}

resource "azurerm_key_vault_key" "rotates_a_month_before_a_three_year_expiry" {
  name         = "k4"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
    expire_after = "P3Y" # expect: CMK-009
  }
}
