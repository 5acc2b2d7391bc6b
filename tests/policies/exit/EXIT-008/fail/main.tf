terraform {
  required_providers {
    azurerm = { # expect: EXIT-008
      source = "hashicorp/azurerm"
    }
    random = { source = "hashicorp/random", version = "~> 3.6" }
  }
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
