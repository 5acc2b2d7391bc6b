variable "kms_key_id" {
  type = string
}

resource "aws_ebs_volume" "this" {
  availability_zone = "eu-central-1a"
  size              = 40
  encrypted         = true
  kms_key_id        = var.kms_key_id
}
