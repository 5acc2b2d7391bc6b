resource "azurerm_kubernetes_cluster" "aks" { # expect: HAVEN-011
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

resource "aws_eks_cluster" "eks" { # expect: HAVEN-011
  name = "eks"
}

resource "google_container_cluster" "gke" { # expect: HAVEN-011
  name     = "gke"
  location = "europe-west4"
}

resource "stackit_ske_cluster" "ske" { # expect: HAVEN-011
  project_id = "p"
  name       = "ske"
  node_pools = []
}

resource "ovh_cloud_project_kube" "mks" { # expect: HAVEN-011
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "scaleway_k8s_cluster" "kapsule" { # expect: HAVEN-011
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
