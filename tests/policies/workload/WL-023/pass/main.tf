resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }
}
