resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id
  }
}

resource "azurerm_log_analytics_workspace" "logs" {
  name     = "logs"
  location = "westeurope"
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "google_container_cluster" "default_logging" {
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "workloads" {
  name     = "gke2"
  location = "europe-west4"
  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }
}

resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = []
  extensions = {
    observability = { enabled = true, instance_id = "obs" }
  }
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

# azurerm v2: Container Insights on.
resource "azurerm_kubernetes_cluster" "insights_v2" {
  name     = "aks-v2"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  addon_profile {
    oms_agent {
      enabled                    = true
      log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id
    }
  }
}
