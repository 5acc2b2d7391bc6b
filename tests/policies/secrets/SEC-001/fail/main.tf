provider "azurerm" {
  features {}
  client_secret = "s3cr3t-client-value" # expect: SEC-001
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql"
  administrator_login          = "sqladmin"
  administrator_login_password = "Welkom01!" # expect: SEC-001
}

resource "azurerm_linux_virtual_machine" "vm" {
  name           = "vm"
  admin_password = "P@ssw0rd-${"literal"}" # expect: SEC-001
}

resource "azurerm_key_vault_secret" "s" {
  name  = "db"
  value = "hunter2-literal" # expect: SEC-001
}

resource "aws_db_instance" "db" {
  identifier = "db"
  password   = "sup3rs3cret" # expect: SEC-001
}

resource "kubernetes_secret" "app" {
  metadata {
    name = "app"
  }
  data = { # expect: SEC-001
    token = "abc123"
  }
}
