variable "kms_key_id" {
  type = string
}

resource "aws_db_instance" "this" {
  identifier        = "db"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  storage_encrypted = true
  kms_key_id        = var.kms_key_id
}

output "identifier" {
  value = aws_db_instance.this.identifier
}
