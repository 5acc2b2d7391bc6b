resource "google_container_cluster" "zonal" {
  name     = "gke"
  location = "europe-west4-a" # expect: HAVEN-001
}

# Whether it is Autopilot is not known, but a zonal location is a single zone either way
variable "autopilot" {}

resource "google_container_cluster" "zonal_maybe_autopilot" {
  name             = "gke-z"
  location         = "europe-west4-b" # expect: HAVEN-001
  enable_autopilot = var.autopilot
}

# GKE refuses an Autopilot cluster in a zone; written so, it is judged by its zone
resource "google_container_cluster" "zonal_autopilot" {
  name             = "gke-za"
  location         = "europe-west4-c" # expect: HAVEN-001
  enable_autopilot = true
}
