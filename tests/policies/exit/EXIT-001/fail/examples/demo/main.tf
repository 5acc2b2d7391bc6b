# An example root deploys nothing: no inventory for it.
provider "aws" {
  region = "eu-central-1"
}

resource "aws_lambda_function" "demo" {
  function_name = "demo"
  package_type  = "Zip"
}
