resource "azurerm_resource_group" "typo" {
  name     = "rg"
  location = "westeurop" # expect: RES-013
}

provider "aws" {
  region = "eu-middle-9" # expect: RES-013
}

resource "azapi_resource" "raw_arm" {
  type     = "Microsoft.KeyVault/vaults@2023-07-01"
  name     = "kv"
  location = "germanywest" # expect: RES-013
}

provider "alicloud" {
  region = "eu-central-9" # expect: RES-013
}
