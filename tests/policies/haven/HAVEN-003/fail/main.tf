# AKS: a fixed default pool of 1 and an autoscaling pool that may shrink to 1.
resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name       = "system"
    node_count = 1 # expect: HAVEN-003
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  auto_scaling_enabled  = true
  min_count             = 1
  max_count             = 10
}

resource "aws_eks_cluster" "eks" { # expect: HAVEN-003
  name = "eks"
}

resource "aws_eks_node_group" "workers" {
  cluster_name = aws_eks_cluster.eks.name
  scaling_config {
    min_size     = 2
    desired_size = 3
    max_size     = 5
  }
}

# Zonal GKE: default pool of 2 nodes in one zone.
resource "google_container_cluster" "gke" { # expect: HAVEN-003
  name               = "gke"
  location           = "europe-west4-a"
  initial_node_count = 2
}

resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = [ # expect: HAVEN-003
    { name = "a", machine_type = "c1.2", minimum = 1, maximum = 3, availability_zones = ["eu01-1"] },
  ]
}

resource "ovh_cloud_project_kube" "mks" { # expect: HAVEN-003
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "ovh_cloud_project_kube_nodepool" "pool" {
  service_name  = "p"
  kube_id       = ovh_cloud_project_kube.mks.id
  name          = "pool"
  flavor_name   = "b3-8"
  desired_nodes = 3
  autoscale     = true
  min_nodes     = 1
  max_nodes     = 5
}

resource "scaleway_k8s_cluster" "kapsule" { # expect: HAVEN-003
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

resource "scaleway_k8s_pool" "pool" {
  cluster_id = scaleway_k8s_cluster.kapsule.id
  node_type  = "PRO2-S"
  size       = 2
}
