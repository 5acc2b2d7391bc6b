# A separate root: encryption by default with a customer key covers volumes that name no key.
provider "aws" {
  region = "eu-central-1"
}

resource "aws_kms_key" "ebs_default" {
  enable_key_rotation = true
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_ebs_default_kms_key" "this" {
  key_arn = aws_kms_key.ebs_default.arn
}

resource "aws_ebs_volume" "no_key_named" {
  availability_zone = "eu-central-1a"
  size              = 40
}

resource "aws_instance" "default_root" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
}

resource "aws_launch_template" "image_root" {
  name     = "image-root"
  image_id = "ami-0123456789abcdef0"
}
