resource "azurerm_kubernetes_cluster" "single_zone" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1"] # expect: HAVEN-001
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "no_zones" { # expect: HAVEN-001
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.single_zone.id
}

resource "google_container_cluster" "zonal" {
  name     = "gke"
  location = "europe-west4-a" # expect: HAVEN-001
}

resource "aws_eks_node_group" "one_subnet" {
  cluster_name = "eks"
  subnet_ids   = ["subnet-a"] # expect: HAVEN-001
}
