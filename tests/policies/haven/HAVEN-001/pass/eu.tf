resource "stackit_ske_cluster" "ske" {
  project_id = "p"
  name       = "ske"
  node_pools = [
    { name = "a", machine_type = "c1.2", minimum = 3, maximum = 3, availability_zones = ["eu01-1", "eu01-2"] },
  ]
}

resource "ovh_cloud_project_kube" "mks" {
  service_name = "p"
  name         = "mks"
  region       = "EU-WEST-PAR"
  plan         = "standard"
}

resource "ovh_cloud_project_kube_nodepool" "a" {
  service_name       = "p"
  kube_id            = ovh_cloud_project_kube.mks.id
  name               = "zone-a"
  flavor_name        = "b3-8"
  desired_nodes      = 2
  availability_zones = ["eu-west-par-a"]
}

resource "ovh_cloud_project_kube_nodepool" "b" {
  service_name       = "p"
  kube_id            = ovh_cloud_project_kube.mks.id
  name               = "zone-b"
  flavor_name        = "b3-8"
  desired_nodes      = 2
  availability_zones = ["eu-west-par-b"]
}

resource "scaleway_k8s_cluster" "kapsule" {
  name    = "kapsule"
  version = "1.35"
  cni     = "cilium"
}

resource "scaleway_k8s_pool" "par1" {
  cluster_id = scaleway_k8s_cluster.kapsule.id
  node_type  = "PRO2-S"
  size       = 2
  zone       = "fr-par-1"
}

resource "scaleway_k8s_pool" "par2" {
  cluster_id = scaleway_k8s_cluster.kapsule.id
  node_type  = "PRO2-S"
  size       = 2
  zone       = "fr-par-2"
}
