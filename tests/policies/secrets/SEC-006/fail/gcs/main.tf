terraform {
  backend "gcs" { # expect: SEC-006
    bucket = "tfstate-prod"
    prefix = "platform"
  }
}
