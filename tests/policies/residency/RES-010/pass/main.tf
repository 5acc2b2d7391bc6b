terraform {
  required_providers {
    stackit = {
      source = "stackitcloud/stackit"
    }
    aws = {
      source = "hashicorp/aws"
    }
  }
}

# Every aws provider points at the AWS European Sovereign Cloud: a market sovereign-cloud offering.
provider "aws" {
  region = "eusc-de-east-1"
}
