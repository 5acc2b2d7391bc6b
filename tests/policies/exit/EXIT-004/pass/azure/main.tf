resource "azurerm_storage_account" "records" {
  name = "records"
  tags = {
    criticality = "high"
  }
}

resource "scaleway_object_bucket" "records_exit_copy" {
  name   = "records-exit-copy"
  region = "fr-par"
  tags = {
    purpose = "exit"
  }
}

resource "azurerm_storage_account" "logs" {
  name = "logs"
  tags = {
    criticality = "low"
  }
}
