resource "azurerm_kubernetes_cluster" "zonal" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1", "2", "3"]
  }
}

# Accepted alternative: each pool in one zone, but the pools together span two zones (HCC counts nodes).
resource "azurerm_kubernetes_cluster" "spread_by_pools" {
  name     = "aks2"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1"]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "zone2" {
  name                  = "zone2"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.spread_by_pools.id
  zones                 = var.pool_zones
}

variable "pool_zones" {
  default = ["2"]
}
