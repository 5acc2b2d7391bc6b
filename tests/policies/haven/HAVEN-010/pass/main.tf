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

resource "aws_eks_addon" "efs" {
  cluster_name = aws_eks_cluster.eks.name
  addon_name   = "aws-efs-csi-driver"
}

resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
  addons_config {
    gcp_filestore_csi_driver_config {
      enabled = true
    }
  }
}

resource "google_container_cluster" "autopilot" {
  name             = "gke2"
  location         = "europe-west4"
  enable_autopilot = true
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

# Longhorn gives ReadWriteMany volumes on any of these clusters.
resource "helm_release" "longhorn" {
  name       = "longhorn"
  repository = "https://charts.longhorn.io"
  chart      = "longhorn"
  namespace  = "longhorn-system"
}
