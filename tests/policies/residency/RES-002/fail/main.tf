provider "aws" { # the default provider is fine
  region = "eu-central-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1" # expect: RES-002
}

provider "google" {
  region = "us-central1" # expect: RES-002
}

# terraform.tfvars overrides this default.
variable "dr_region" {
  default = "eu-west-1"
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region # expect: RES-002
}

provider "alicloud" {
  region = "cn-hangzhou" # expect: RES-002
}

provider "google-beta" {
  region = "us-central1" # expect: RES-002
}
