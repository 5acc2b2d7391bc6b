variable "sql_password" {
  type      = string
  sensitive = true
}

provider "azurerm" {
  features {}
  client_secret = var.client_secret
}

resource "random_password" "vm" {
  length = 24
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_password
}

resource "azurerm_linux_virtual_machine" "vm" {
  name           = "vm"
  admin_password = random_password.vm.result
}

resource "azurerm_key_vault_secret" "s" {
  name  = "db"
  value = random_password.vm.result
}

resource "aws_db_instance" "db" {
  identifier                  = "db"
  manage_master_user_password = true
}

resource "aws_db_instance" "write_only" {
  identifier          = "db2"
  password_wo         = var.sql_password
  password_wo_version = 1
}

resource "kubernetes_secret" "app" {
  metadata {
    name = "app"
  }
  data = {
    token = data.azurerm_key_vault_secret.token.value
  }
}
