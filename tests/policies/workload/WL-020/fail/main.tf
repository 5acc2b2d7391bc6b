# No network_profile: kubenet without a policy engine.
resource "azurerm_kubernetes_cluster" "plain" { # expect: WL-020
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

variable "network_policy" {
  type    = string
  default = null
}

resource "azurerm_kubernetes_cluster" "azure_cni" {
  name     = "aks2"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile {
    network_plugin = "azure"
    network_policy = var.network_policy # expect: WL-020
  }
}

# Bring-your-own CNI, but no CNI is installed by the scanned code.
resource "azurerm_kubernetes_cluster" "byo" {
  name     = "aks3"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
  network_profile { # expect: WL-020
    network_plugin = "none"
  }
}

resource "google_container_cluster" "gke" { # expect: WL-020
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "legacy" {
  name              = "gke2"
  location          = "europe-west4"
  datapath_provider = "LEGACY_DATAPATH"
  network_policy {
    enabled = false # expect: WL-020
  }
}

# The VPC CNI add-on is managed here, without its network policy agent.
resource "aws_eks_cluster" "eks" { # expect: WL-020
  name = "eks"
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name         = aws_eks_cluster.eks.name
  addon_name           = "vpc-cni"
  configuration_values = jsonencode({ enableNetworkPolicy = "false", env = { ENABLE_PREFIX_DELEGATION = "true" } })
}
