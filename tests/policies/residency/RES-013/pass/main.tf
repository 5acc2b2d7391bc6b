resource "azurerm_resource_group" "ok" {
  name     = "rg"
  location = "West Europe"
}

provider "aws" {
  region = "eu-north-1"
}
