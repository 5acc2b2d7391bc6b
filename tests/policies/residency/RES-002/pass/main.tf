variable "region" {
  default = "eu-west-1"
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "frankfurt"
  region = "eu-central-1"
}

provider "google" {
  region = "europe-west4"
  zone   = "europe-west4-a"
}

provider "alicloud" {
  region = "eu-central-1"
}

provider "google-beta" {
  region = "europe-west4"
}
