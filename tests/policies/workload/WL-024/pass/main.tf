resource "azurerm_kubernetes_cluster" "entra" {
  name                   = "aks"
  location               = "westeurope"
  local_account_disabled = true
  default_node_pool {
    name = "system"
  }
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["00000000-0000-0000-0000-000000000000"]
  }
}

resource "ovh_cloud_project_kube" "mks" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "ovh_cloud_project_kube_oidc" "login" {
  service_name = "p"
  kube_id      = ovh_cloud_project_kube.mks.id
  client_id    = "kubernetes"
  issuer_url   = "https://login.example.nl/realms/gemeente"
}
