resource "azurerm_kubernetes_cluster" "local" { # expect: WL-024
  name                   = "aks"
  location               = "westeurope"
  local_account_disabled = false # expect: WL-024
  default_node_pool {
    name = "system"
  }
}

resource "ovh_cloud_project_kube" "mks" { # expect: WL-024
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}
