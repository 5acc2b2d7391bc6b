location                = "westeurope"
key_vault_id            = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
db_password_secret_name = "db-password"
admin_password          = ""
