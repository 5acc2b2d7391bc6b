resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name   = "system"
    os_sku = "Ubuntu"
  }
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "aws_eks_node_group" "bottlerocket" {
  cluster_name = aws_eks_cluster.eks.name
  ami_type     = "BOTTLEROCKET_ARM_64"
}

resource "aws_eks_cluster" "auto" {
  name = "auto"
  compute_config {
    enabled = true
  }
}

resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "pools" {
  name     = "gke2"
  location = "europe-west4"
  node_pool {
    name = "cos"
    node_config {
      image_type = "COS_CONTAINERD"
    }
  }
  node_pool {
    name = "ubuntu"
    node_config {
      image_type = "UBUNTU_CONTAINERD"
    }
  }
}

resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = [
    { name = "a", machine_type = "c1.2", minimum = 3, maximum = 3, availability_zones = ["eu01-1"], os_name = "flatcar" },
  ]
}
