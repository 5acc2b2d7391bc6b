resource "azurerm_kubernetes_cluster" "aks" { # expect: HAVEN-008
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

# Control-plane logs only: container logs are not aggregated.
resource "aws_eks_cluster" "eks" { # expect: HAVEN-008
  name                      = "eks"
  enabled_cluster_log_types = ["api", "audit"]
}

resource "google_container_cluster" "no_logs" {
  name            = "gke"
  location        = "europe-west4"
  logging_service = "none" # expect: HAVEN-008
}

resource "google_container_cluster" "system_only" {
  name     = "gke2"
  location = "europe-west4"
  logging_config {
    enable_components = ["SYSTEM_COMPONENTS"] # expect: HAVEN-008
  }
}

resource "stackit_ske_cluster" "ske" { # expect: HAVEN-008
  project_id = "p"
  name       = "ske"
  node_pools = []
}

# Audit-log subscription: not container logs.
resource "ovh_cloud_project_kube" "mks" { # expect: HAVEN-008
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
}

resource "ovh_cloud_project_kube_log_subscription" "audit" {
  service_name = "p"
  kube_id      = ovh_cloud_project_kube.mks.id
  kind         = "audit"
  stream_id    = "s"
}

resource "scaleway_k8s_cluster" "kapsule" { # expect: HAVEN-008
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

# The repository manages cluster add-ons (an ingress controller), but no log collector.
resource "helm_release" "ingress" {
  name       = "ingress-nginx"
  repository = "https://kubernetes.github.io/ingress-nginx"
  chart      = "ingress-nginx"
}

# azurerm v2: Container Insights switched off explicitly.
resource "azurerm_kubernetes_cluster" "insights_off" {
  name     = "aks-v2"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  addon_profile {
    oms_agent {
      enabled = false # expect: HAVEN-008
    }
  }
}
