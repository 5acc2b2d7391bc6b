provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "vault_location" {
  default = "switzerlandnorth"
}

resource "azurerm_key_vault" "uk" {
  name     = "kv-uk"
  location = "uksouth" # expect: CMK-007
}

resource "azurerm_key_vault" "from_variable" {
  name     = "kv-ch"
  location = var.vault_location # expect: CMK-007
}

resource "aws_kms_key" "primary" {
  multi_region        = true
  enable_key_rotation = true
}

resource "aws_kms_replica_key" "us" { # expect: CMK-007
  provider        = aws.us
  primary_key_arn = aws_kms_key.primary.arn
}

resource "aws_kms_key" "v6_region" {
  region              = "us-west-2" # expect: CMK-007
  enable_key_rotation = true
}

resource "google_kms_key_ring" "global" {
  name     = "ring"
  location = "global" # expect: CMK-007
}

# A raw ARM Key Vault (azapi) outside the allowed regions.
resource "azapi_resource" "arm_vault" {
  type      = "Microsoft.KeyVault/vaults@2023-07-01"
  name      = "kv-arm-us"
  location  = "eastus" # expect: CMK-007
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body      = { properties = { sku = { family = "A", name = "premium" }, tenantId = "0000" } }
}
