gcp_region = "europe-west3"
