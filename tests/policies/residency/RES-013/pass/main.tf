resource "azurerm_resource_group" "ok" {
  name     = "rg"
  location = "West Europe"
}

provider "aws" {
  region = "eu-north-1"
}

resource "azapi_resource" "raw_arm" {
  type     = "Microsoft.KeyVault/vaults@2023-07-01"
  name     = "kv"
  location = "germanywestcentral"
}

resource "azapi_resource" "dns_zone" {
  type     = "Microsoft.Network/privateDnsZones@2024-06-01"
  name     = "privatelink.blob.core.windows.net"
  location = "global"
}

resource "google_kms_key_ring" "global" {
  name     = "ring"
  location = "global"
}

# A value not known statically is RES-001's to report, not this rule's.
variable "location" {
  type = string
}

resource "azurerm_resource_group" "unknown" {
  name     = "rg-unknown"
  location = var.location
}

provider "alicloud" {
  region = "eu-central-1"
}
