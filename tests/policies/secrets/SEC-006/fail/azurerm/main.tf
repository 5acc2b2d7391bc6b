terraform {
  backend "azurerm" { # expect: SEC-006
    storage_account_name = "tfstate"
    container_name       = "state"
    key                  = "prod.tfstate"
  }
}
