resource "azurerm_kubernetes_cluster" "no_rbac" {
  name                              = "aks"
  location                          = "westeurope"
  role_based_access_control_enabled = false # expect: HAVEN-005
  default_node_pool {
    name = "system"
  }
}

resource "google_container_cluster" "abac" {
  name               = "gke"
  location           = "europe-west4"
  enable_legacy_abac = true # expect: HAVEN-005
}
