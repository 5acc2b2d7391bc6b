resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  backup_retention_period = 14
}

resource "aws_db_instance" "orders_replica" {
  identifier          = "orders-replica"
  replicate_source_db = aws_db_instance.orders.identifier
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier = "ledger"
}

resource "aws_dynamodb_table" "sessions" {
  name = "sessions"
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_dynamodb_table" "carts" {
  name = "carts"
  tags = {
    backup = "daily"
  }
}

resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
}

resource "aws_efs_backup_policy" "shared" {
  file_system_id = aws_efs_file_system.shared.id
  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_backup_selection" "ledger" {
  name         = "ledger"
  plan_id      = "plan"
  iam_role_arn = "arn:aws:iam::111122223333:role/backup"
  resources    = [aws_rds_cluster.ledger.arn]
}

resource "aws_backup_selection" "tagged" {
  name         = "tagged"
  plan_id      = "plan"
  iam_role_arn = "arn:aws:iam::111122223333:role/backup"
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "daily"
  }
}

resource "google_sql_database_instance" "reports" {
  name             = "reports"
  database_version = "POSTGRES_16"
  settings {
    tier = "db-custom-2-7680"
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
  }
}

resource "google_sql_database_instance" "reports_replica" {
  name                 = "reports-replica"
  database_version     = "POSTGRES_16"
  master_instance_name = google_sql_database_instance.reports.name
}

resource "azurerm_mssql_database" "app" {
  name = "app"
  long_term_retention_policy {
    weekly_retention = "P4W"
  }
}

resource "azurerm_postgresql_flexible_server" "gis" {
  name = "gis"
}

resource "azurerm_mysql_flexible_server" "cms" {
  name                  = "cms"
  backup_retention_days = 14
}

resource "azurerm_cosmosdb_account" "docs" {
  name = "docs"
  backup {
    type = "Continuous"
  }
}

resource "azurerm_managed_disk" "data" {
  name                 = "data"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = 256
}

resource "azurerm_linux_virtual_machine" "app" {
  name = "app"
}

resource "azurerm_virtual_machine_data_disk_attachment" "data" {
  managed_disk_id    = azurerm_managed_disk.data.id
  virtual_machine_id = azurerm_linux_virtual_machine.app.id
  lun                = 0
  caching            = "ReadWrite"
}

resource "azurerm_backup_protected_vm" "app" {
  resource_group_name = "rg"
  recovery_vault_name = "vault"
  source_vm_id        = azurerm_linux_virtual_machine.app.id
  backup_policy_id    = "policy"
}

resource "azurerm_managed_disk" "scratch" {
  name                 = "scratch"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 64
}

resource "azurerm_data_protection_backup_instance_disk" "scratch" {
  name                         = "scratch"
  disk_id                      = azurerm_managed_disk.scratch.id
  snapshot_resource_group_name = "snapshots"
  backup_policy_id             = "policy"
  vault_id                     = "vault"
  location                     = "westeurope"
}

resource "aws_s3_bucket" "documents" {
  bucket = "documents"
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "azurerm_storage_account" "versioned" {
  name                     = "stversioned"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  blob_properties {
    versioning_enabled = true
  }
}

resource "azurerm_storage_account" "soft_delete" {
  name                     = "stsoftdelete"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  blob_properties {
    delete_retention_policy {} # 7 days by default
  }
}

resource "azurerm_storage_account" "file_shares" {
  name                     = "stfiles"
  account_kind             = "FileStorage"
  account_tier             = "Premium"
  account_replication_type = "ZRS"
}

# Soft delete is on for a week unless switched off.
resource "google_storage_bucket" "exports" {
  name     = "exports"
  location = "EU"
}

resource "azurerm_mssql_virtual_machine" "erp" {
  virtual_machine_id = "vm"
  sql_license_type   = "PAYG"
  auto_backup {
    retention_period_in_days   = 14
    storage_blob_endpoint      = "https://stbackup.blob.core.windows.net"
    storage_account_access_key = var.backup_key
  }
}

variable "backup_key" {
  type      = string
  sensitive = true
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-central-1a"
  size              = 100
  tags              = { Name = "data", Snapshot = "daily" }
}

resource "aws_dlm_lifecycle_policy" "daily" {
  description        = "daily snapshots"
  execution_role_arn = "arn:aws:iam::111122223333:role/dlm"
  policy_details {
    resource_types = ["VOLUME"]
    target_tags    = { Snapshot = "daily" }
    schedule {
      name = "daily"
      create_rule {
        interval = 24
      }
      retain_rule {
        count = 7
      }
    }
  }
}

resource "google_compute_resource_policy" "snapshots" {
  name   = "daily"
  region = "europe-west4"
  snapshot_schedule_policy {
    schedule {
      daily_schedule {
        days_in_cycle = 1
        start_time    = "04:00"
      }
    }
  }
}

resource "google_compute_disk" "data" {
  name = "data"
  zone = "europe-west4-a"
  size = 100
}

resource "google_compute_disk_resource_policy_attachment" "data" {
  name = google_compute_resource_policy.snapshots.name
  disk = google_compute_disk.data.name
  zone = "europe-west4-a"
}

resource "google_compute_disk" "logs" {
  name              = "logs"
  zone              = "europe-west4-a"
  resource_policies = [google_compute_resource_policy.snapshots.id]
}
