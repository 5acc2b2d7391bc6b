terraform {
  backend "s3" {
    bucket  = "tfstate-prod"
    key     = "platform/terraform.tfstate"
    region  = "eu-central-1"
    encrypt = false # expect: SEC-006
  }
}
