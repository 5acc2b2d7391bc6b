resource "azurerm_storage_account" "inline" {
  name                     = "stinline"
  location                 = "westeurope"
  resource_group_name      = "rg"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.k.id
    user_assigned_identity_id = "id"
  }
}

resource "azurerm_storage_account" "linked" {
  name                     = "stlinked"
  location                 = "westeurope"
  resource_group_name      = "rg"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_storage_account_customer_managed_key" "linked" {
  storage_account_id = azurerm_storage_account.linked.id
  key_vault_id       = "kv"
  key_name           = "k"
}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "cmk" {
  bucket = "cmk"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "cmk" {
  bucket = aws_s3_bucket.cmk.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket" "legacy_inline" {
  bucket = "legacy"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms:dsse"
        kms_master_key_id = aws_kms_key.data.arn
      }
    }
  }
}

resource "google_storage_bucket" "cmek" {
  name     = "cmek"
  location = "EU"
  encryption {
    default_kms_key_name = google_kms_crypto_key.k.id
  }
}

module "kms" {
  source = "./modules/kms"
}

resource "aws_s3_bucket" "key_from_module" {
  bucket = "key-from-module"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "key_from_module" {
  bucket = aws_s3_bucket.key_from_module.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.kms.key_arn
    }
  }
}

# Raw ARM storage accounts: the key in the account's own body, or patched in by a second step (the Azure
# Verified Modules' azapi_update_resource).
resource "azapi_resource" "arm_inline_key" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "starminline"
  location  = "westeurope"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    kind = "StorageV2"
    sku  = { name = "Standard_ZRS" }
    properties = {
      encryption = {
        keySource          = "Microsoft.Keyvault"
        keyvaultproperties = { keyname = "cmk", keyvaulturi = "https://kv-eu.vault.azure.net" }
      }
    }
  }
}

resource "azapi_resource" "arm_patched" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "starmpatched"
  location  = "westeurope"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = jsonencode({
    kind       = "StorageV2"
    sku        = { name = "Standard_ZRS" }
    properties = { encryption = { keySource = "Microsoft.Storage" } }
  })
}

resource "azapi_update_resource" "arm_patched_key" {
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = azapi_resource.arm_patched.id
  body = {
    properties = {
      encryption = {
        keySource          = "Microsoft.Keyvault"
        keyvaultproperties = { keyname = "cmk", keyvaulturi = "https://kv-eu.vault.azure.net" }
      }
    }
  }
}

resource "aws_s3_directory_bucket" "express" {
  bucket = "express--euw1-az1--x-s3"
  location {
    name = "euw1-az1"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "express" {
  bucket = aws_s3_directory_bucket.express.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "alicloud_kms_key" "oss" {
  description = "oss"
}

resource "alicloud_oss_bucket" "inline" {
  bucket = "inline"
  server_side_encryption_rule {
    sse_algorithm     = "KMS"
    kms_master_key_id = alicloud_kms_key.oss.id
  }
}

resource "alicloud_oss_bucket" "linked" {
  bucket = "linked"
}

resource "alicloud_oss_bucket_server_side_encryption" "linked" {
  bucket            = alicloud_oss_bucket.linked.bucket
  sse_algorithm     = "KMS"
  kms_master_key_id = alicloud_kms_key.oss.id
}

resource "oci_kms_key" "bucket" {
  compartment_id      = "ocid1.compartment.oc1..example"
  display_name        = "bucket"
  management_endpoint = "https://example-management.kms.eu-frankfurt-1.oraclecloud.com"
  key_shape {
    algorithm = "AES"
    length    = 32
  }
}

resource "oci_objectstorage_bucket" "customer_key" {
  compartment_id = "ocid1.compartment.oc1..example"
  name           = "customer-key"
  namespace      = "ns"
  kms_key_id     = oci_kms_key.bucket.id
}
