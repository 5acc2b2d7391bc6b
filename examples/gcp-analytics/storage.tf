data "google_storage_project_service_account" "gcs" {}

resource "google_kms_crypto_key_iam_member" "gcs_storage" {
  crypto_key_id = google_kms_crypto_key.storage.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

# Compliant: EU multi-region, encrypted with the institute's own Cloud KMS key.
resource "google_storage_bucket" "research_data" {
  name                        = "analytics-research-data-${random_id.suffix.hex}"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  encryption {
    default_kms_key_name = google_kms_crypto_key.storage.id
  }

  depends_on = [google_kms_crypto_key_iam_member.gcs_storage]
}

# VIOLATION RES-001: the "US" multi-region stores the data in the United States.
# VIOLATION CMK-001: no encryption block, so Google-managed keys are used.
resource "google_storage_bucket" "dashboard_exports" {
  name                        = "analytics-dashboard-exports-${random_id.suffix.hex}"
  location                    = "US"
  uniform_bucket_level_access = true
}
