resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "windows" {
  name                  = "win"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  os_type               = "Windows" # expect: HAVEN-009
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "aws_eks_node_group" "windows" {
  cluster_name = aws_eks_cluster.eks.name
  ami_type     = "WINDOWS_CORE_2022_x86_64" # expect: HAVEN-009
}

resource "google_container_node_pool" "windows" {
  cluster = "projects/p/locations/europe-west4/clusters/other"
  node_config {
    image_type = "WINDOWS_LTSC" # expect: HAVEN-009
  }
}

resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
  node_pool {
    name = "win"
    node_config {
      image_type = "WINDOWS_LTSC_CONTAINERD" # expect: HAVEN-009
    }
  }
}
