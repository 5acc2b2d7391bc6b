resource "azurerm_kubernetes_cluster" "current" {
  name               = "aks"
  location           = "westeurope"
  kubernetes_version = "1.34"
  default_node_pool {
    name = "system"
  }
}

# Accepted alternative: an upgrade channel that moves minor versions, whatever the pinned version.
resource "azurerm_kubernetes_cluster" "channel" {
  name                      = "aks2"
  location                  = "westeurope"
  kubernetes_version        = "1.29"
  automatic_upgrade_channel = "stable"
  default_node_pool {
    name = "system"
  }
}

# Not pinned: the provider installs its current default.
resource "aws_eks_cluster" "unpinned" {
  name = "eks"
}

resource "aws_eks_cluster" "current" {
  name    = "eks2"
  version = "1.35"
}

resource "stackit_ske_cluster" "auto" {
  project_id             = "p"
  name                   = "ske"
  kubernetes_version_min = "1.31"
  node_pools             = []
  maintenance = {
    enable_kubernetes_version_updates    = true
    enable_machine_image_version_updates = true
    start                                = "01:00:00Z"
    end                                  = "02:00:00Z"
  }
}

resource "ovh_cloud_project_kube" "current" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
  version      = "1.36"
}

resource "scaleway_k8s_cluster" "current" {
  name    = "kapsule"
  version = "1.34.1"
  cni     = "cilium"
}

resource "google_container_cluster" "regular" {
  name               = "gke"
  location           = "europe-west4"
  min_master_version = "1.29" # a minimum: the channel upgrades beyond it
  release_channel {
    channel = "REGULAR"
  }
}

resource "google_container_cluster" "unpinned" {
  name     = "gke-default"
  location = "europe-west4"
}
