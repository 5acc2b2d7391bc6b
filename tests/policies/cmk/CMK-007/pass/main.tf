provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "dublin"
  region = "eu-west-1"
}

provider "stackit" {
  default_region = "eu01"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "West Europe"
}

resource "azurerm_key_vault" "kv" {
  name     = "kv"
  location = azurerm_resource_group.rg.location
}

resource "aws_kms_key" "primary" {
  multi_region        = true
  enable_key_rotation = true
}

resource "aws_kms_replica_key" "dublin" {
  provider        = aws.dublin
  primary_key_arn = aws_kms_key.primary.arn
}

# The module's key takes the caller's default provider (eu-central-1).
module "kms" {
  source = "./modules/kms"
}

resource "google_kms_key_ring" "ring" {
  name     = "ring"
  location = "europe-west4"
}

resource "stackit_kms_keyring" "ring" {
  project_id   = "p"
  display_name = "ring"
}

resource "azapi_resource" "arm_vault" {
  type      = "Microsoft.KeyVault/vaults@2023-07-01"
  name      = "kv-arm-eu"
  location  = "westeurope"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body      = { properties = { sku = { family = "A", name = "premium" }, tenantId = "0000" } }
}
