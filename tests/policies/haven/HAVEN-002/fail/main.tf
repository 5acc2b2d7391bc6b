resource "azurerm_kubernetes_cluster" "free" {
  name     = "aks"
  location = "westeurope"
  sku_tier = "Free" # expect: HAVEN-002
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster" "default_tier" { # expect: HAVEN-002
  name     = "aks2"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

resource "google_container_cluster" "zonal" {
  name     = "gke"
  location = "europe-west4-b" # expect: HAVEN-002
}

resource "ovh_cloud_project_kube" "free" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
  plan         = "free" # expect: HAVEN-002
}

resource "scaleway_k8s_cluster" "mutualized" {
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
  type    = "kapsule" # expect: HAVEN-002
}
