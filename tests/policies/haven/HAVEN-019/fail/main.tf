resource "azurerm_kubernetes_cluster" "local" { # expect: HAVEN-019
  name                   = "aks"
  location               = "westeurope"
  local_account_disabled = false # expect: HAVEN-019
  default_node_pool {
    name = "system"
  }
}

resource "ovh_cloud_project_kube" "mks" { # expect: HAVEN-019
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}
