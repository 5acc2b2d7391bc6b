resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
}

resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = []
}

resource "ovh_cloud_project_kube" "mks" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "scaleway_k8s_cluster" "kapsule" {
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

# An ingress controller is not certificate automation.
resource "helm_release" "ingress" {
  name       = "ingress-nginx"
  repository = "https://kubernetes.github.io/ingress-nginx"
  chart      = "ingress-nginx"
}
