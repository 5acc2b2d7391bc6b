terraform {
  required_providers {
    random = { source = "hashicorp/random", version = "~> 3.6" } # expect: EXIT-008
    azurerm = { # expect: EXIT-008
      source = "hashicorp/azurerm"
    }
    aws    = { source = "hashicorp/aws", version = ">= 5.0" }      # expect: EXIT-008
    google = { source = "hashicorp/google", version = "~> 6" }     # expect: EXIT-008
  }
}

provider "azurerm" {
  features {}
}

module "vnet" { # expect: EXIT-008
  source = "Azure/avm-res-network-virtualnetwork/azurerm"
}

module "git_unpinned" {
  source = "git::https://example.com/infra/modules.git//storage" # expect: EXIT-008
}

module "github_unpinned" {
  source = "github.com/example/terraform-modules//kv" # expect: EXIT-008
}

module "git_branch" {
  source = "git::https://example.com/infra/modules.git//network?ref=main" # expect: EXIT-008
}

module "registry_open_lower_bound" {
  source  = "terraform-aws-modules/vpc/aws"
  version = ">= 5.0" # expect: EXIT-008
}
