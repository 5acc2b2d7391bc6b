# The default pool and the extra pool both sit in zone 1: HCC counts one zone for the whole cluster.
resource "azurerm_kubernetes_cluster" "single_zone" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1"] # expect: HAVEN-001
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.single_zone.id
  zones                 = ["1"]
}

# No zones at all (zones = null is the provider default: a regional, non-zonal pool).
resource "azurerm_kubernetes_cluster" "no_zones" {
  name     = "aks2"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = null # expect: HAVEN-001
  }
}
