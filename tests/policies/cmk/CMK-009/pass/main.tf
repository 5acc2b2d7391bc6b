resource "azurerm_key_vault_key" "rotating" {
  name         = "k1"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
    expire_after         = "P1Y"
    notify_before_expiry = "P29D"
  }
}

resource "azurerm_key_vault_key" "rotating_after_creation" {
  name         = "k2"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
    expire_after = "P2Y"
  }
}

resource "azurerm_key_vault_key" "rotating_half_a_year_into_two" {
  name         = "k3"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_before_expiry = "P1Y6M"
    }
    expire_after = "P2Y"
  }
}

resource "aws_kms_key" "rotating" {
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

resource "aws_kms_key" "signing" { # asymmetric keys cannot rotate automatically: not checked
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
}

resource "google_kms_crypto_key" "rotating" {
  name            = "k"
  key_ring        = "projects/p/locations/europe-west4/keyRings/r"
  rotation_period = "7776000s"
}

resource "google_kms_crypto_key" "signing" { # asymmetric: not checked
  name     = "sig"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
  purpose  = "ASYMMETRIC_SIGN"
}

resource "azurerm_key_vault_key" "both_triggers" { # rotates 90 days after creation, whatever the expiry
  name         = "k4"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
  rotation_policy {
    automatic {
      time_after_creation = "P90D"
      time_before_expiry  = "P30D"
    }
    expire_after = "P2Y"
  }
}
