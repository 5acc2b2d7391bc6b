variable "network_policy" {
  type = string
}

resource "azurerm_kubernetes_cluster" "this" {
  name     = "aks5"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin = "azure"
    network_policy = var.network_policy
  }
}
