resource "azurerm_storage_account" "eu_pair" {
  name                     = "eupair"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "RAGRS"
}

resource "azurerm_storage_account" "zrs" {
  name                     = "zrs"
  location                 = "switzerlandnorth"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "dublin"
  region = "eu-west-1"
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
    location          = "northeurope"
    failover_priority = 1
  }
}

resource "azurerm_mssql_server" "primary" {
  name     = "sql-primary"
  location = "westeurope"
}

resource "azurerm_mssql_server" "secondary" {
  name     = "sql-secondary"
  location = "northeurope"
}

resource "azurerm_mssql_failover_group" "fog" {
  name      = "fog"
  server_id = azurerm_mssql_server.primary.id
  partner_server {
    id = azurerm_mssql_server.secondary.id
  }
}

resource "aws_s3_bucket" "source" {
  bucket = "source"
}

# The destination bucket lives in a module that receives the Dublin provider.
module "replica" {
  source = "./modules/replica"
  providers = {
    aws = aws.dublin
  }
}

resource "aws_s3_bucket_replication_configuration" "crr" {
  bucket = aws_s3_bucket.source.id
  role   = "arn:aws:iam::111122223333:role/replication"
  rule {
    id     = "all"
    status = "Enabled"
    destination {
      bucket = module.replica.bucket_arn
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
    region_name = "eu-north-1"
  }
}

resource "aws_secretsmanager_secret" "replicated" {
  name = "s"
  replica {
    region = "eu-west-3"
  }
}

resource "google_secret_manager_secret" "pinned" {
  secret_id = "s"
  replication {
    user_managed {
      replicas {
        location = "europe-west4"
      }
      replicas {
        location = "europe-west1"
      }
    }
  }
}
