# A deployed root that configures providers without required_providers: init installs the newest builds.
provider "aws" { # expect: EXIT-008, EXIT-008
  region = "eu-central-1"
}

provider "aws" {
  alias  = "dr"
  region = "eu-west-1"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
