dr_region = "us-east-2"
