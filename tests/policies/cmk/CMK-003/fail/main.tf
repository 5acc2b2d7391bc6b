variable "db_key" {
  default = "" # no key: RDS falls back to the AWS-managed aws/rds key
}

resource "azurerm_mssql_server" "service_managed" { # expect: CMK-003
  name     = "sql1"
  location = "westeurope"
  version  = "12.0"
}

resource "azurerm_mssql_server" "tde_service_managed" { # expect: CMK-003
  name     = "sql2"
  location = "westeurope"
  version  = "12.0"
}

# Linked, but without a key: service-managed TDE.
resource "azurerm_mssql_server_transparent_data_encryption" "tde" {
  server_id = azurerm_mssql_server.tde_service_managed.id
}

resource "azurerm_postgresql_flexible_server" "pg" { # expect: CMK-003
  name     = "pg"
  location = "westeurope"
}

resource "azurerm_cosmosdb_account" "cosmos" { # expect: CMK-003
  name       = "cosmos"
  location   = "westeurope"
  offer_type = "Standard"
}

resource "aws_db_instance" "default_key" {
  identifier        = "db1"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  storage_encrypted = true
  kms_key_id        = var.db_key # expect: CMK-003
}

resource "aws_db_instance" "unencrypted" {
  identifier        = "db2"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  storage_encrypted = false # expect: CMK-003
}

resource "aws_rds_cluster" "aurora" {
  cluster_identifier = "aurora"
  engine             = "aurora-postgresql"
  storage_encrypted  = true
  kms_key_id         = "arn:aws:kms:eu-central-1:111122223333:alias/aws/rds" # expect: CMK-003
}

resource "aws_dynamodb_table" "aws_managed" {
  name     = "t1"
  hash_key = "id"
  server_side_encryption { # expect: CMK-003
    enabled = true
  }
}

resource "aws_dynamodb_table" "aws_owned" { # expect: CMK-003
  name     = "t2"
  hash_key = "id"
}

resource "google_sql_database_instance" "db" { # expect: CMK-003
  name             = "db"
  region           = "europe-west4"
  database_version = "POSTGRES_16"
}

resource "google_bigquery_dataset" "ds" { # expect: CMK-003
  dataset_id = "ds"
  location   = "EU"
}

# Single servers: no key resource points at them.
resource "azurerm_sql_server" "legacy" { # expect: CMK-003
  name     = "sql-legacy"
  location = "westeurope"
  version  = "12.0"
}

resource "azurerm_mysql_server" "single" { # expect: CMK-003
  name     = "mysql-single"
  location = "westeurope"
  sku_name = "GP_Gen5_2"
}

resource "azurerm_postgresql_server" "single" { # expect: CMK-003
  name     = "psql-single"
  location = "westeurope"
  sku_name = "GP_Gen5_2"
}
