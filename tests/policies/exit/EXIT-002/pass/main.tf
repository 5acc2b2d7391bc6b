resource "aws_db_instance" "app" {
  identifier = "app"
  engine     = "postgres"
}

resource "aws_rds_cluster" "aurora" {
  cluster_identifier = "aurora"
  engine             = "aurora-postgresql"
}

resource "google_sql_database_instance" "reports" {
  name             = "reports"
  database_version = "POSTGRES_16"
}

resource "azurerm_cosmosdb_account" "mongo" {
  name = "mongo"
  kind = "MongoDB"
}

resource "azurerm_cosmosdb_account" "cassandra" {
  name = "cassandra"
  capabilities {
    name = "EnableCassandra"
  }
}
