provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "stockholm"
  region = "eu-north-1"
}

resource "azurerm_recovery_services_vault" "grs" {
  name     = "rsv"
  location = "westeurope"
  sku      = "Standard"
}

resource "azurerm_recovery_services_vault" "lrs" {
  name              = "rsv-lrs"
  location          = "italynorth"
  sku               = "Standard"
  storage_mode_type = "LocallyRedundant"
}

resource "azurerm_data_protection_backup_vault" "bv" {
  name       = "bv"
  location   = "germanywestcentral"
  redundancy = "GeoRedundant"
}

resource "azurerm_postgresql_flexible_server" "pg" {
  name                         = "pg"
  location                     = "francecentral"
  geo_redundant_backup_enabled = true
}

resource "aws_backup_vault" "copy" {
  provider = aws.stockholm
  name     = "copy"
}

resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = "primary"
    copy_action {
      destination_vault_arn = aws_backup_vault.copy.arn
    }
  }
  rule {
    rule_name         = "monthly"
    target_vault_name = "primary"
    copy_action {
      destination_vault_arn = "arn:aws:backup:eu-west-3:111122223333:backup-vault:offsite"
    }
  }
}

resource "aws_db_instance_automated_backups_replication" "dr" {
  provider               = aws.stockholm
  source_db_instance_arn = "arn:aws:rds:eu-central-1:111122223333:db:app"
}
