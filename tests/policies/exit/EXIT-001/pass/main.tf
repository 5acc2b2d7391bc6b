provider "aws" {
  region = "eu-central-1"
}

resource "aws_eks_cluster" "main" {
  name = "main"
}

resource "aws_db_instance" "orders" {
  identifier = "orders"
  engine     = "postgres"
}

resource "aws_s3_bucket" "archive" {
  bucket = "orders-archive"
}

resource "aws_lambda_function" "resize" {
  function_name = "resize"
  package_type  = "Image"
  image_uri     = "111122223333.dkr.ecr.eu-central-1.amazonaws.com/resize@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"
}
