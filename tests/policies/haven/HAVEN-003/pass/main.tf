resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name       = "system"
    node_count = 1
  }
}

# Linked pool in a module: the pools together keep 1 + 2 = 3 nodes.
module "user_pool" {
  source     = "./modules/pool"
  cluster_id = azurerm_kubernetes_cluster.aks.id
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "aws_eks_node_group" "workers" {
  cluster_name = aws_eks_cluster.eks.name
  scaling_config {
    min_size     = 3
    desired_size = 3
    max_size     = 5
  }
}

# Regional GKE: one node per zone in three zones.
resource "google_container_cluster" "gke" {
  name               = "gke"
  location           = "europe-west4"
  initial_node_count = 1
}

resource "google_container_cluster" "pools" {
  name     = "gke2"
  location = "europe-west4-a"
  node_pool {
    name = "default"
    autoscaling {
      total_min_node_count = 3
      total_max_node_count = 6
    }
  }
}

resource "google_container_cluster" "autopilot" {
  name             = "gke3"
  location         = "europe-west4"
  enable_autopilot = true
}

resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = [
    { name = "a", machine_type = "c1.2", minimum = 2, maximum = 3, availability_zones = ["eu01-1"] },
    { name = "b", machine_type = "c1.2", minimum = 1, maximum = 3, availability_zones = ["eu01-2"] },
  ]
}

resource "ovh_cloud_project_kube" "mks" {
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
}

resource "scaleway_k8s_cluster" "kapsule" {
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

resource "scaleway_k8s_pool" "pool" {
  cluster_id  = scaleway_k8s_cluster.kapsule.id
  node_type   = "PRO2-S"
  size        = 3
  autoscaling = true
  min_size    = 3
  max_size    = 6
}
