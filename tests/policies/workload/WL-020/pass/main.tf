resource "azurerm_kubernetes_cluster" "azure_policy" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }
}

# azurerm v4: Azure CNI powered by Cilium.
resource "azurerm_kubernetes_cluster" "cilium" {
  name     = "aks2"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
  }
}

# azurerm v3 spelling of the Cilium data plane.
resource "azurerm_kubernetes_cluster" "ebpf" {
  name     = "aks3"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin  = "azure"
    ebpf_data_plane = "cilium"
  }
}

variable "network_policy" {
  type    = string
  default = "calico"
}

module "cluster" {
  source         = "./modules/aks"
  network_policy = var.network_policy
}

# Bring-your-own CNI: Cilium installed as a Helm release.
resource "azurerm_kubernetes_cluster" "byo" {
  name     = "aks4"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin = "none"
  }
}

resource "helm_release" "cilium" {
  name       = "cilium"
  repository = "https://helm.cilium.io"
  chart      = "cilium"
  namespace  = "kube-system"
}

resource "google_container_cluster" "dataplane_v2" {
  name              = "gke"
  location          = "europe-west4"
  datapath_provider = "ADVANCED_DATAPATH"
}

resource "google_container_cluster" "calico" {
  name     = "gke2"
  location = "europe-west4"
  network_policy {
    enabled  = true
    provider = "CALICO"
  }
  addons_config {
    network_policy_config {
      disabled = false
    }
  }
}

resource "google_container_cluster" "autopilot" {
  name             = "gke3"
  location         = "europe-west4"
  enable_autopilot = true
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name         = aws_eks_cluster.eks.name
  addon_name           = "vpc-cni"
  configuration_values = jsonencode({ enableNetworkPolicy = "true" })
}
