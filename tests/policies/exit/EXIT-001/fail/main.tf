provider "aws" { # expect: EXIT-001
  region = "eu-central-1"
}

resource "aws_lambda_function" "intake" {
  function_name = "intake"
  package_type  = "Zip"
}

resource "aws_dynamodb_table" "orders" {
  name = "orders"
}

resource "aws_s3_bucket" "archive" {
  bucket = "orders-archive"
}

resource "aws_sqs_queue" "events" {
  name = "events"
}

resource "aws_security_group" "not_a_service" {
  name = "sg"
}
