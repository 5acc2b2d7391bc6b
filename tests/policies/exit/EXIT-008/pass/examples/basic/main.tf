terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0"
    }
    # An example may leave a provider unpinned: it demonstrates, it does not deploy.
    random = {
      source = "hashicorp/random"
    }
  }
}

provider "azurerm" {
  features {}
}
