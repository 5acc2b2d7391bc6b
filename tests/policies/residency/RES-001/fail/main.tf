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

# Left out, a BigQuery dataset's location is the provider's default, the US multi-region: the provider
# block's region does not apply to it.
provider "google" {
  region = "europe-west4"
}

resource "google_bigquery_dataset" "default_location" { # expect: RES-001
  dataset_id = "analytics"
}

resource "google_pubsub_topic" "unconstrained" { # expect: RES-001
  name = "events"
}

resource "google_pubsub_topic" "us_replica" {
  name = "orders"
  message_storage_policy {
    allowed_persistence_regions = ["europe-west4", "us-east1"] # expect: RES-001
  }
}
