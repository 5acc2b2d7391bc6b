# RBAC is on by default; null means the default.
variable "rbac" {
  default = null
}

resource "azurerm_kubernetes_cluster" "default" {
  name                              = "aks"
  location                          = "westeurope"
  role_based_access_control_enabled = var.rbac
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster" "explicit" {
  name                              = "aks2"
  location                          = "westeurope"
  role_based_access_control_enabled = true
  default_node_pool {
    name = "system"
  }
}

resource "google_container_cluster" "rbac" {
  name               = "gke"
  location           = "europe-west4"
  enable_legacy_abac = false
}
