variable "db_password" {
  type      = string
  sensitive = true
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql"
  administrator_login          = "sqladmin"
  administrator_login_password = var.db_password
}
