resource "azurerm_storage_account" "eu_pair" {
  name                     = "eupair"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "RAGRS"
}

resource "azurerm_storage_account" "zrs" {
  name                     = "zrs"
  location                 = "switzerlandnorth"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}
