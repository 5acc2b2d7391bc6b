provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "ohio"
  region = "us-east-2"
}

resource "azurerm_recovery_services_vault" "default_grs" { # expect: RES-009
  name     = "rsv"
  location = "westus3"
  sku      = "Standard"
}

resource "azurerm_postgresql_flexible_server" "pg" {
  name                         = "pg"
  location                     = "brazilsouth"
  geo_redundant_backup_enabled = true # expect: RES-009
}

resource "aws_backup_vault" "copy" {
  provider = aws.ohio
  name     = "copy"
}

resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = "primary"
    schedule          = "cron(0 3 * * ? *)"
    copy_action {
      destination_vault_arn = aws_backup_vault.copy.arn # expect: RES-009
    }
  }
}

resource "aws_backup_plan" "literal_arn" {
  name = "literal"
  rule {
    rule_name         = "weekly"
    target_vault_name = "primary"
    copy_action {
      destination_vault_arn = "arn:aws:backup:us-west-2:111122223333:backup-vault:offsite" # expect: RES-009
    }
  }
}

resource "aws_db_instance_automated_backups_replication" "dr" { # expect: RES-009
  provider               = aws.ohio
  source_db_instance_arn = "arn:aws:rds:eu-central-1:111122223333:db:app"
}
