resource "azurerm_resource_group" "typo" {
  name     = "rg"
  location = "westeurop" # expect: RES-013
}

provider "aws" {
  region = "eu-middle-9" # expect: RES-013
}
