terraform {
  backend "azurerm" {
    storage_account_name = "tfstate"
    container_name       = "state"
    key                  = "prod.tfstate"
    use_azuread_auth     = true
  }
}
