resource "azurerm_mssql_server" "sql" { # expect: EXIT-002
  name    = "sql"
  version = "12.0"
}

resource "aws_db_instance" "erp" {
  identifier = "erp"
  engine     = "oracle-se2" # expect: EXIT-002
}

resource "google_sql_database_instance" "reports" {
  name             = "reports"
  database_version = "SQLSERVER_2019_STANDARD" # expect: EXIT-002
}

resource "aws_dynamodb_table" "sessions" { # expect: EXIT-002
  name = "sessions"
}

resource "azurerm_cosmosdb_account" "docs" { # expect: EXIT-002
  name = "docs"
  kind = "GlobalDocumentDB"
}

resource "azurerm_mssql_virtual_machine" "erp" { # expect: EXIT-002
  virtual_machine_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/erp"
  sql_license_type   = "PAYG"
}
