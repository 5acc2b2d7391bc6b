terraform {
  backend "s3" {
    bucket = "state"
    key    = "records.tfstate"
  }
}

resource "aws_s3_bucket" "records" {
  bucket = "records"
}
