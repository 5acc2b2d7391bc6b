variable "location" {
  type = string
}

resource "azurerm_virtual_network" "vnet" {
  name          = "vnet"
  location      = var.location
  address_space = ["10.0.0.0/16"]
}
