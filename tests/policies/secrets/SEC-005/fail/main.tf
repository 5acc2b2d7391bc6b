variable "admin_password" {
  type    = string
  default = "Welkom01!-sql"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
}

resource "azurerm_storage_account" "sa" {
  name = "sa"
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql"
  administrator_login_password = var.admin_password
}

resource "random_string" "pw" {
  length = 20
}

output "kube_config" {
  value = azurerm_kubernetes_cluster.aks.kube_config_raw # expect: SEC-005
}

output "storage" {
  value = azurerm_storage_account.sa.primary_access_key # expect: SEC-005
}

output "db_conn" {
  value = "Server=sql;Password=${azurerm_mssql_server.sql.administrator_login_password}" # expect: SEC-005
}

output "vault_value" {
  value = data.azurerm_key_vault_secret.token.value # expect: SEC-005
}

output "db_password" {
  value = random_string.pw.result # expect: SEC-005
}

module "db" {
  source = "./modules/db"
}
