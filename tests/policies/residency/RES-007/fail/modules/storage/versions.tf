terraform {
  required_providers {
    azurerm = { # reported once, at the first declaration
      source = "hashicorp/azurerm"
    }
    aws = { # expect: RES-007
      source = "registry.terraform.io/hashicorp/aws"
    }
  }
}
