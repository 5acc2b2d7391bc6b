resource "google_container_cluster" "regional" {
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "zonal_spread" {
  name           = "gke2"
  location       = "europe-west4-a"
  node_locations = ["europe-west4-b", "europe-west4-c"]
}

# A multi-zonal cluster: the cluster's node_locations name the zones besides its own (GKE asks to leave its
# own zone out), so its nodes run in europe-west4-a and europe-west4-b
resource "google_container_cluster" "multi_zonal" {
  name           = "gke5"
  location       = "europe-west4-a"
  node_locations = ["europe-west4-b"]
}

# A zonal cluster whose separate node pool spreads over two zones.
resource "google_container_cluster" "zonal_pool_spread" {
  name                     = "gke3"
  location                 = "europe-west4-a"
  remove_default_node_pool = true
  initial_node_count       = 1
}

resource "google_container_node_pool" "spread" {
  cluster        = google_container_cluster.zonal_pool_spread.id
  node_locations = ["europe-west4-a", "europe-west4-b"]
}

# Autopilot clusters are regional, wherever the location comes from
variable "location" {}

resource "google_container_cluster" "autopilot" {
  name             = "gke4"
  location         = var.location
  enable_autopilot = true
}
