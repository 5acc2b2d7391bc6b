variable "location" {
  default = "eastus"
}

resource "azurerm_resource_group" "us" {
  name     = "rg-us"
  location = var.location # expect: RES-001
}

resource "azurerm_storage_account" "inherits" {
  name                = "inherits"
  resource_group_name = azurerm_resource_group.us.name
  location            = azurerm_resource_group.us.location
}

resource "azurerm_key_vault" "uk" {
  name     = "kv-uk"
  location = "UK South" # expect: RES-001
}

resource "aws_s3_bucket" "v6_region" {
  bucket = "b"
  region = "us-west-2" # expect: RES-001
}

resource "google_storage_bucket" "us" {
  name     = "us"
  location = "US" # expect: RES-001
}

resource "google_compute_instance" "zone" {
  name = "vm"
  zone = "asia-east1-b" # expect: RES-001
}

# terraform.tfvars overrides this default.
variable "gcp_region" {
  default = "europe-west4"
}

resource "google_storage_bucket" "from_tfvars" {
  name     = "tfvars"
  location = var.gcp_region # expect: RES-001
}

resource "azapi_resource" "raw_arm" {
  type     = "Microsoft.Storage/storageAccounts@2023-05-01"
  name     = "raw"
  location = "eastus2" # expect: RES-001
}

module "net" {
  source   = "./modules/net"
  location = "brazilsouth" # expect: RES-001 (the value is written here, not in the module)
}
