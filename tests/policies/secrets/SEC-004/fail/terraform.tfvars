location      = "westeurope"
db_password   = "Sup3r-S3cret-42" # expect: SEC-004
key_vault_id  = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
