terraform {
  backend "azurerm" {
    storage_account_name = "tfstate"
    container_name       = "state"
    key                  = "prod.tfstate"
    access_key           = "c3RvcmFnZS1hY2NvdW50LWtleS1saXRlcmFs" # expect: SEC-001
  }
}
