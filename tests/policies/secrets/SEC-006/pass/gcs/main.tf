terraform {
  backend "gcs" {
    bucket             = "tfstate-prod"
    prefix             = "platform"
    kms_encryption_key = "projects/p/locations/europe-west4/keyRings/tf/cryptoKeys/state"
  }
}
