resource "google_container_cluster" "zonal" {
  name     = "gke"
  location = "europe-west4-a" # expect: HAVEN-001
}
