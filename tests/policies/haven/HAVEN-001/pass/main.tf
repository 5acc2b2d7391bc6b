resource "azurerm_kubernetes_cluster" "zonal" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1", "2", "3"]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.zonal.id
  zones                 = ["1", "2"]
}

resource "google_container_cluster" "regional" {
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "zonal_spread" {
  name           = "gke2"
  location       = "europe-west4-a"
  node_locations = ["europe-west4-b", "europe-west4-c"]
}

resource "aws_eks_node_group" "spread" {
  cluster_name = "eks"
  subnet_ids   = ["subnet-a", "subnet-b", "subnet-c"]
}
