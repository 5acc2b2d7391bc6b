resource "aws_s3_bucket" "records" { # expect: EXIT-004
  bucket = "civil-records"
  tags = {
    criticality = "high"
  }
}

resource "aws_s3_bucket" "records_copy" {
  bucket = "civil-records-copy"
}

resource "aws_backup_plan" "cross_account" {
  name = "cross-account"
  rule {
    rule_name         = "daily"
    target_vault_name = "primary"
    copy_action {
      destination_vault_arn = "arn:aws:backup:eu-west-1:444455556666:backup-vault:copy"
    }
  }
}
