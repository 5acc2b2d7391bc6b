resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = [ # expect: HAVEN-001
    { name = "a", machine_type = "c1.2", minimum = 3, maximum = 3, availability_zones = ["eu01-1"] },
    { name = "b", machine_type = "c1.2", minimum = 3, maximum = 3, availability_zones = ["eu01-1"] },
  ]
}

resource "ovh_cloud_project_kube" "mks" {
  service_name = "p"
  name         = "mks"
  region       = "GRA11" # expect: HAVEN-001
}

resource "ovh_cloud_project_kube_nodepool" "pool" {
  service_name  = "p"
  kube_id       = ovh_cloud_project_kube.mks.id
  name          = "pool"
  flavor_name   = "b3-8"
  desired_nodes = 3
}

provider "scaleway" {
  zone = "fr-par-1"
}

resource "scaleway_k8s_cluster" "kapsule" { # expect: HAVEN-001
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

resource "scaleway_k8s_pool" "a" {
  cluster_id = scaleway_k8s_cluster.kapsule.id
  node_type  = "PRO2-S"
  size       = 3
}

resource "scaleway_k8s_pool" "b" {
  cluster_id = scaleway_k8s_cluster.kapsule.id
  node_type  = "PRO2-S"
  size       = 3
  zone       = "fr-par-1"
}
