# Analytics environment of a Dutch research institute on Google Cloud (Eemshaven, NL).
# Scan with: sovscan scan examples/gcp-analytics

terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    # VIOLATION EXIT-008: no version constraint, so every `terraform init` may pick a new major version.
    random = {
      source = "hashicorp/random"
    }
  }
}

variable "project_id" {
  description = "Google Cloud project of the analytics environment."
  type        = string
}

provider "google" {
  project = var.project_id
  region  = "europe-west4"
}

data "google_project" "current" {}

resource "random_id" "suffix" {
  byte_length = 3
}

# Key ring for the EU multi-region buckets: a Cloud Storage CMEK key must share the bucket's
# location, and the Cloud KMS location for the "EU" multi-region is "europe".
resource "google_kms_key_ring" "eu" {
  name     = "analytics-eu"
  location = "europe"
}

resource "google_kms_crypto_key" "storage" {
  name            = "storage"
  key_ring        = google_kms_key_ring.eu.id
  rotation_period = "7776000s"
}

# Key ring for the GKE clusters in europe-west4.
resource "google_kms_key_ring" "gke" {
  name     = "analytics-gke"
  location = "europe-west4"
}

resource "google_kms_crypto_key" "gke" {
  name            = "gke-secrets"
  key_ring        = google_kms_key_ring.gke.id
  rotation_period = "7776000s"
}
