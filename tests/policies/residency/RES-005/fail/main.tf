resource "azurerm_storage_account" "uk_pair" {
  name                     = "ukpair"
  location                 = "switzerlandnorth"
  account_tier             = "Standard"
  account_replication_type = "GRS" # expect: RES-005
}
