resource "azurerm_storage_account" "logs" { # expect: CMK-001
  name                     = "stlogs"
  location                 = "westeurope"
  resource_group_name      = "rg"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "aws_s3_bucket" "sse_s3" { # expect: CMK-001
  bucket = "sse-s3"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sse_s3" {
  bucket = aws_s3_bucket.sse_s3.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket" "aws_managed" { # expect: CMK-001
  bucket = "aws-managed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "aws_managed" {
  bucket = aws_s3_bucket.aws_managed.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/aws/s3"
    }
  }
}

resource "aws_s3_bucket" "kms_without_key" { # expect: CMK-001
  bucket = "kms-default-key"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "kms_without_key" {
  bucket = aws_s3_bucket.kms_without_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "google_storage_bucket" "plain" { # expect: CMK-001
  name     = "plain"
  location = "EU"
}

# A raw ARM storage account (azapi, as the Azure Verified Modules write it) left on Microsoft-managed keys.
resource "azapi_resource" "arm_account" { # expect: CMK-001
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "starm"
  location  = "westeurope"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    kind = "StorageV2"
    sku  = { name = "Standard_ZRS" }
    properties = {
      encryption = { keySource = "Microsoft.Storage" }
    }
  }
}

resource "aws_s3_directory_bucket" "express" { # expect: CMK-001
  bucket = "express--euw1-az1--x-s3"
  location {
    name = "euw1-az1"
  }
}

resource "alicloud_oss_bucket" "plain" { # expect: CMK-001
  bucket = "plain"
}

resource "alicloud_oss_bucket" "service_key" {
  bucket = "service-key"
  server_side_encryption_rule { # expect: CMK-001 (KMS without kms_master_key_id: the OSS-managed key)
    sse_algorithm = "KMS"
  }
}

resource "oci_objectstorage_bucket" "oracle_managed" { # expect: CMK-001
  compartment_id = "ocid1.compartment.oc1..example"
  name           = "oracle-managed"
  namespace      = "ns"
}
