resource "google_container_cluster" "legacy_auth" {
  name     = "gke"
  location = "europe-west4"
  master_auth {
    username = "admin" # expect: WL-023
    password = "not-a-real-password-0" # expect: WL-023
  }
}

resource "google_container_cluster" "client_cert" {
  name     = "gke2"
  location = "europe-west4"
  master_auth {
    client_certificate_config {
      issue_client_certificate = true # expect: WL-023
    }
  }
}
