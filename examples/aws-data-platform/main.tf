# Data platform of a Dutch public-sector organisation on AWS (Frankfurt).
# Scan with: sovscan scan examples/aws-data-platform

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      Project = "data-platform"
      Owner   = "team-data"
    }
  }
}

# VIOLATION RES-002: this provider configuration places its resources in us-east-1 (United States).
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "cluster_role_arn" {
  description = "IAM role of the EKS control plane (managed by the platform team)."
  type        = string
}

variable "node_role_arn" {
  description = "IAM role of the EKS worker nodes (managed by the platform team)."
  type        = string
}

# VIOLATION EXIT-008: registry module without a version constraint.
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name               = "data-platform"
  cidr               = "10.40.0.0/16"
  azs                = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
  private_subnets    = ["10.40.1.0/24", "10.40.2.0/24", "10.40.3.0/24"]
  public_subnets     = ["10.40.101.0/24", "10.40.102.0/24", "10.40.103.0/24"]
  enable_nat_gateway = true
}

# Compliant: registry module pinned with a version constraint.
module "ingest_sg" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "~> 5.1"

  name        = "data-platform-ingest"
  description = "Ingest workers"
  vpc_id      = module.vpc.vpc_id
}

# The certificate for the CloudFront distribution of the open-data portal must live in us-east-1,
# so it uses the aliased provider. It is the reason provider.aws.us exists (RES-002 above);
# a waiver in .sovscan.yaml is the way to accept it.
resource "aws_acm_certificate" "opendata_cdn" {
  provider          = aws.us
  domain_name       = "opendata.voorbeeldstad.nl"
  validation_method = "DNS"
}
