terraform {
  backend "s3" {
    bucket       = "tfstate-prod"
    key          = "platform/terraform.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    kms_key_id   = "arn:aws:kms:eu-central-1:111122223333:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    use_lockfile = true
  }
}
