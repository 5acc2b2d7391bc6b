terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.10"
    }
    aws    = { source = "hashicorp/aws", version = ">= 5.0, < 6.0" }
    google = { source = "hashicorp/google", version = "= 6.12.0" }
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

module "git_commit" {
  source = "git::https://example.com/infra/modules.git//network?ref=4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
}

module "registry_patch_releases" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.8.1"
}
