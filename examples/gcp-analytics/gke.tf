resource "google_kms_crypto_key_iam_member" "gke_secrets" {
  crypto_key_id = google_kms_crypto_key.gke.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:service-${data.google_project.current.number}@container-engine-robot.iam.gserviceaccount.com"
}

# Compliant: regional cluster (nodes in every zone of europe-west4, HAVEN-001) with application-layer
# secrets encryption under a customer Cloud KMS key (CMK-005).
resource "google_container_cluster" "analytics" {
  name                = "analytics"
  location            = "europe-west4"
  initial_node_count  = 1
  deletion_protection = true

  database_encryption {
    state    = "ENCRYPTED"
    key_name = google_kms_crypto_key.gke.id
  }

  depends_on = [google_kms_crypto_key_iam_member.gke_secrets]
}

# VIOLATION HAVEN-001: a zonal cluster runs all nodes in europe-west4-a.
# VIOLATION CMK-005: no database_encryption block, so Kubernetes secrets use Google-managed keys.
resource "google_container_cluster" "sandbox" {
  name                = "analytics-sandbox"
  location            = "europe-west4-a"
  initial_node_count  = 2
  deletion_protection = false
}
