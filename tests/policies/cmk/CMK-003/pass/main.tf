resource "azurerm_key_vault_key" "tde" {
  name         = "tde"
  key_vault_id = "kv"
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_mssql_server" "inline" {
  name                                         = "sql1"
  location                                     = "westeurope"
  version                                      = "12.0"
  transparent_data_encryption_key_vault_key_id = azurerm_key_vault_key.tde.id
}

resource "azurerm_mssql_server" "linked" {
  name     = "sql2"
  location = "westeurope"
  version  = "12.0"
}

resource "azurerm_mssql_server_transparent_data_encryption" "linked" {
  server_id        = azurerm_mssql_server.linked.id
  key_vault_key_id = azurerm_key_vault_key.tde.id
}

resource "azurerm_mysql_flexible_server" "mysql" {
  name     = "mysql"
  location = "westeurope"
  customer_managed_key {
    key_vault_key_id                  = azurerm_key_vault_key.tde.id
    primary_user_assigned_identity_id = "uai"
  }
}

resource "azurerm_cosmosdb_account" "cosmos" {
  name             = "cosmos"
  location         = "westeurope"
  offer_type       = "Standard"
  key_vault_key_id = azurerm_key_vault_key.tde.versionless_id
}

resource "aws_kms_key" "db" {
  enable_key_rotation = true
}

# The key and the database meet across a module boundary.
module "db" {
  source     = "./modules/db"
  kms_key_id = aws_kms_key.db.arn
}

resource "aws_db_instance" "replica" {
  identifier          = "replica"
  instance_class      = "db.t4g.micro"
  replicate_source_db = module.db.identifier
}

resource "aws_rds_cluster" "aurora" {
  cluster_identifier = "aurora"
  engine             = "aurora-postgresql"
  storage_encrypted  = true
  kms_key_id         = aws_kms_key.db.arn
}

resource "aws_dynamodb_table" "cmk" {
  name     = "t1"
  hash_key = "id"
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.db.arn
  }
}

resource "google_kms_crypto_key" "db" {
  name     = "db"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
}

resource "google_sql_database_instance" "db" {
  name                = "db"
  region              = "europe-west4"
  database_version    = "POSTGRES_16"
  encryption_key_name = google_kms_crypto_key.db.id
}

resource "google_bigquery_dataset" "ds" {
  dataset_id = "ds"
  location   = "EU"
  default_encryption_configuration {
    kms_key_name = google_kms_crypto_key.db.id
  }
}

resource "azurerm_sql_server" "legacy" {
  name     = "sql-legacy"
  location = "westeurope"
  version  = "12.0"
}

resource "azurerm_mssql_server_transparent_data_encryption" "legacy" {
  server_id        = azurerm_sql_server.legacy.id
  key_vault_key_id = azurerm_key_vault_key.tde.id
}

resource "azurerm_mysql_server" "single" {
  name     = "mysql-single"
  location = "westeurope"
  sku_name = "GP_Gen5_2"
}

resource "azurerm_mysql_server_key" "single" {
  server_id        = azurerm_mysql_server.single.id
  key_vault_key_id = azurerm_key_vault_key.tde.id
}

resource "azurerm_postgresql_server" "single" {
  name     = "psql-single"
  location = "westeurope"
  sku_name = "GP_Gen5_2"
}

resource "azurerm_postgresql_server_key" "single" {
  server_id        = azurerm_postgresql_server.single.id
  key_vault_key_id = azurerm_key_vault_key.tde.id
}

resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted  = true
  kms_key_arn        = aws_kms_key.db.arn
}

# The snapshot has its cluster's encryption: judged on the cluster above.
resource "aws_neptune_cluster_snapshot" "graph" {
  db_cluster_identifier          = aws_neptune_cluster.graph.id
  db_cluster_snapshot_identifier = "graph-nightly"
}
