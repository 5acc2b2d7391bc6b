variable "location" {
  default = "westeurope"
}

resource "azurerm_resource_group" "eu" {
  name     = "rg-eu"
  location = var.location
}

resource "azurerm_storage_account" "inherits" {
  name     = "inherits"
  location = azurerm_resource_group.eu.location
}

resource "azurerm_key_vault" "de" {
  name     = "kv-de"
  location = "Germany West Central"
}

resource "aws_s3_bucket" "v6_region" {
  bucket = "b"
  region = "eu-central-1"
}

resource "google_storage_bucket" "eu" {
  name     = "eu"
  location = "EU"
}

resource "google_compute_instance" "zone" {
  name = "vm"
  zone = "europe-west4-b"
}

variable "gcp_region" {
  default = "us-central1"
}

resource "google_storage_bucket" "from_tfvars" {
  name     = "tfvars"
  location = var.gcp_region
}

resource "azapi_resource" "raw_arm" {
  type     = "Microsoft.Storage/storageAccounts@2023-05-01"
  name     = "raw"
  location = "swedencentral"
}

module "net" {
  source   = "./modules/net"
  location = "germanywestcentral"
}

provider "google" {
  region = "europe-west4"
}

resource "google_bigquery_dataset" "eu" {
  dataset_id = "analytics"
  location   = "EU"
}

resource "google_pubsub_topic" "eu_only" {
  name = "events"
  message_storage_policy {
    allowed_persistence_regions = ["europe-west4", "europe-west1"]
  }
}

# Without a location, an Artifact Registry repository takes the provider's region (RES-002 judges it).
resource "google_artifact_registry_repository" "images" {
  repository_id = "images"
  format        = "DOCKER"
}

provider "alicloud" {
  region = "eu-central-1"
}
