resource "azurerm_kubernetes_cluster" "old" {
  name                      = "aks"
  location                  = "westeurope"
  kubernetes_version        = "1.29.4" # expect: HAVEN-004
  automatic_upgrade_channel = "patch"
  default_node_pool {
    name = "system"
  }
}

variable "eks_version" {
  default = "1.30"
}

resource "aws_eks_cluster" "old" {
  name    = "eks"
  version = var.eks_version # expect: HAVEN-004
}

resource "stackit_ske_cluster" "old" {
  project_id             = "p"
  name                   = "ske"
  kubernetes_version_min = "1.31" # expect: HAVEN-004
  node_pools             = []
  maintenance = {
    enable_kubernetes_version_updates    = false
    enable_machine_image_version_updates = true
    start                                = "01:00:00Z"
    end                                  = "02:00:00Z"
  }
}

resource "ovh_cloud_project_kube" "old" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11"
  version      = "1.28" # expect: HAVEN-004
}

resource "scaleway_k8s_cluster" "old" {
  name    = "kapsule"
  version = "1.30.2" # expect: HAVEN-004
  cni     = "cilium"
}

# No release channel: the pinned minimum decides.
resource "google_container_cluster" "static" {
  name               = "gke"
  location           = "europe-west4"
  min_master_version = "1.29.8-gke.1031000" # expect: HAVEN-004
  release_channel {
    channel = "UNSPECIFIED"
  }
}

# The Extended channel keeps a minor version for up to 24 months.
resource "google_container_cluster" "extended" {
  name               = "gke-ext"
  location           = "europe-west4"
  min_master_version = "1.30" # expect: HAVEN-004
  release_channel {
    channel = "EXTENDED"
  }
}
