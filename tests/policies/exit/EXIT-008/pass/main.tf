terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.10"
    }
  }
}

provider "azurerm" {
  features {}
}

module "vnet" {
  source  = "Azure/avm-res-network-virtualnetwork/azurerm"
  version = "0.8.1"
}

module "git_pinned" {
  source = "git::https://example.com/infra/modules.git//storage?ref=v1.4.2"
}

module "local" {
  source = "./modules/local"
}
