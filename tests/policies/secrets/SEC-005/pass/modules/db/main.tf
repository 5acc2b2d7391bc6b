resource "azurerm_mssql_server" "sql" {
  name = "sql"
}

output "server_id" {
  value = azurerm_mssql_server.sql.id
}
