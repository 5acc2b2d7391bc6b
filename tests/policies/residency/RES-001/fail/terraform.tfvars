gcp_region = "us-central1"
