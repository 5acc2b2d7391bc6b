resource "azurerm_storage_account" "uk_pair" {
  name                     = "ukpair"
  location                 = "switzerlandnorth"
  account_tier             = "Standard"
  account_replication_type = "GRS" # expect: RES-005
}

provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "virginia"
  region = "us-east-1"
}

resource "azurerm_cosmosdb_account" "cosmos" {
  name       = "cosmos"
  location   = "westeurope"
  offer_type = "Standard"
  geo_location {
    location          = "westeurope"
    failover_priority = 0
  }
  geo_location {
    location          = "uksouth" # expect: RES-005
    failover_priority = 1
  }
}

resource "azurerm_mssql_server" "primary" {
  name     = "sql-primary"
  location = "westeurope"
}

resource "azurerm_mssql_server" "secondary" {
  name     = "sql-secondary"
  location = "switzerlandnorth"
}

resource "azurerm_mssql_failover_group" "fog" {
  name      = "fog"
  server_id = azurerm_mssql_server.primary.id
  partner_server {
    id = azurerm_mssql_server.secondary.id # expect: RES-005
  }
}

resource "aws_s3_bucket" "source" {
  bucket = "source"
}

# The destination bucket takes its region from the aliased provider.
resource "aws_s3_bucket" "destination" {
  provider = aws.virginia
  bucket   = "destination"
}

resource "aws_s3_bucket_replication_configuration" "crr" {
  bucket = aws_s3_bucket.source.id
  role   = "arn:aws:iam::111122223333:role/replication"
  rule {
    id     = "all"
    status = "Enabled"
    destination {
      bucket = aws_s3_bucket.destination.arn # expect: RES-005
    }
  }
}

resource "aws_dynamodb_table" "global" {
  name     = "t"
  hash_key = "id"
  replica {
    region_name = "eu-west-1"
  }
  replica {
    region_name = "us-west-2" # expect: RES-005
  }
}

resource "aws_secretsmanager_secret" "replicated" {
  name = "s"
  replica {
    region = "ap-southeast-1" # expect: RES-005
  }
}

resource "google_secret_manager_secret" "auto" {
  secret_id = "s"
  replication {
    auto {} # expect: RES-005
  }
}
