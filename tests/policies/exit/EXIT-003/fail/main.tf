resource "aws_db_instance" "orders" { # expect: EXIT-003
  identifier = "orders"
  engine     = "postgres"
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier      = "ledger"
  backup_retention_period = 3 # expect: EXIT-003
}

resource "aws_dynamodb_table" "sessions" { # expect: EXIT-003
  name = "sessions"
}

resource "aws_efs_file_system" "shared" { # expect: EXIT-003
  creation_token = "shared"
}

resource "aws_efs_backup_policy" "shared" {
  file_system_id = aws_efs_file_system.shared.id
  backup_policy {
    status = "DISABLED"
  }
}

resource "google_sql_database_instance" "reports" {
  name             = "reports"
  database_version = "POSTGRES_16"
  settings {
    tier = "db-custom-2-7680"
    backup_configuration {
      enabled = false # expect: EXIT-003
    }
  }
}

resource "azurerm_mssql_database" "app" {
  name = "app"
  short_term_retention_policy {
    retention_days = 3 # expect: EXIT-003
  }
}

resource "azurerm_mysql_flexible_server" "cms" {
  name                  = "cms"
  backup_retention_days = 1 # expect: EXIT-003
}

resource "azurerm_cosmosdb_account" "docs" { # expect: EXIT-003
  name = "docs"
}

resource "azurerm_managed_disk" "data" { # expect: EXIT-003
  name                 = "data"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = 256
}

# Attached to a VM that only another root module (dev/) protects: the same address there is another VM.
resource "azurerm_managed_disk" "attached" { # expect: EXIT-003
  name                 = "attached"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = 128
}

resource "azurerm_linux_virtual_machine" "app" {
  name = "app"
}

resource "azurerm_virtual_machine_data_disk_attachment" "attached" {
  managed_disk_id    = azurerm_managed_disk.attached.id
  virtual_machine_id = azurerm_linux_virtual_machine.app.id
  lun                = 0
  caching            = "ReadWrite"
}

# Object storage without earlier versions of its objects.
resource "aws_s3_bucket" "documents" { # expect: EXIT-003
  bucket = "documents"
}

resource "aws_s3_bucket" "suspended" { # expect: EXIT-003
  bucket = "suspended"
}

resource "aws_s3_bucket_versioning" "suspended" {
  bucket = aws_s3_bucket.suspended.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "azurerm_storage_account" "blobs" { # expect: EXIT-003
  name                     = "stblobs"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_storage_account" "short_soft_delete" {
  name                     = "stshort"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  blob_properties {
    delete_retention_policy {
      days = 2 # expect: EXIT-003
    }
  }
}

resource "google_storage_bucket" "soft_delete_off" {
  name     = "exports"
  location = "EU"
  soft_delete_policy {
    retention_duration_seconds = 0 # expect: EXIT-003
  }
}

resource "azurerm_mssql_virtual_machine" "erp" { # expect: EXIT-003
  virtual_machine_id = "vm"
  sql_license_type   = "PAYG"
}

resource "aws_ebs_volume" "data" { # expect: EXIT-003
  availability_zone = "eu-central-1a"
  size              = 100
  tags              = { Name = "data", Snapshot = "weekly" }
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

resource "google_compute_disk" "data" { # expect: EXIT-003
  name = "data"
  zone = "europe-west4-a"
  size = 100
}
