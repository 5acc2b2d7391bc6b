resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  storage_profile {
    file_driver_enabled = false # expect: HAVEN-010
  }
}

# Block storage only: the EBS driver gives ReadWriteOnce volumes.
resource "aws_eks_cluster" "eks" { # expect: HAVEN-010
  name = "eks"
}

resource "aws_eks_addon" "ebs" {
  cluster_name = aws_eks_cluster.eks.name
  addon_name   = "aws-ebs-csi-driver"
}

resource "google_container_cluster" "gke" { # expect: HAVEN-010
  name     = "gke"
  location = "europe-west4"
}

resource "stackit_ske_cluster" "ske" { # expect: HAVEN-010
  project_id = "p"
  name       = "ske"
  node_pools = []
}

resource "ovh_cloud_project_kube" "mks" { # expect: HAVEN-010
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "scaleway_k8s_cluster" "kapsule" { # expect: HAVEN-010
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}
