resource "aws_db_instance" "registry" {
  identifier = "registry"
  tags = {
    criticality = "high"
  }
}
