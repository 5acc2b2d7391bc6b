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
