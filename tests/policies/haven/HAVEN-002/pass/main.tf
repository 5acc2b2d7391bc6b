variable "tier" {
  default = "Standard"
}

resource "azurerm_kubernetes_cluster" "standard" {
  name     = "aks"
  location = "westeurope"
  sku_tier = var.tier
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster" "premium" {
  name     = "aks2"
  location = "westeurope"
  sku_tier = "Premium"
  default_node_pool {
    name = "system"
  }
}

resource "google_container_cluster" "regional" {
  name     = "gke"
  location = "europe-west4"
}

resource "ovh_cloud_project_kube" "standard" {
  service_name = "p"
  name         = "mks"
  region       = "EU-WEST-PAR"
  plan         = "standard"
}

resource "scaleway_k8s_cluster" "dedicated" {
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
  type    = "kapsule-dedicated-4"
}
