variable "sql_password" {
  type      = string
  sensitive = true
}

variable "aws_secret_key" {
  sensitive = true
}

# the key's id is not its secret
provider "aws" {
  region     = "eu-west-1"
  access_key = "ci-deployer-key-id"
  secret_key = var.aws_secret_key
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

variable "api_token" {
  type      = string
  sensitive = true
}

data "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  key_vault_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
}

resource "azurerm_linux_web_app" "app" {
  name = "app"
  app_settings = {
    WEBSITE_RUN_FROM_PACKAGE = "1"
    DB_PASSWORD              = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"
    API_TOKEN                = var.api_token
    DB_PASSWORD_SECRET_NAME  = "db-password"
  }
  connection_string {
    name  = "db"
    type  = "SQLAzure"
    value = data.azurerm_key_vault_secret.db.value
  }
}

resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
  windows_profile {
    admin_username = "azureuser"
    admin_password = random_password.vm.result
  }
}

resource "azurerm_container_group" "job" {
  name = "job"
  container {
    name  = "job"
    image = "registry.example.eu/job:1.0"
    environment_variables = {
      LOG_LEVEL = "info"
    }
    secure_environment_variables = {
      API_TOKEN = var.api_token
    }
  }
}

resource "aws_secretsmanager_secret" "stripe" {
  name = "stripe"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  environment {
    variables = {
      STRIPE_SECRET_ARN = aws_secretsmanager_secret.stripe.arn
      TOKEN_TTL         = "3600"
    }
  }
}

ephemeral "random_password" "db" {
  length = 32
}

resource "aws_db_instance" "ephemeral_password" {
  identifier          = "db3"
  password_wo         = ephemeral.random_password.db.result
  password_wo_version = 1
}

resource "google_cloud_run_v2_service" "api" {
  name = "api"
  template {
    containers {
      image = "europe-docker.pkg.dev/p/r/api:1"
      env {
        name = "DB_PASSWORD"
        value_source {
          secret_key_ref {
            secret  = "db-password"
            version = "latest"
          }
        }
      }
    }
  }
}

resource "helm_release" "redis" {
  name  = "redis"
  chart = "redis"
  set {
    name  = "replica.replicaCount"
    value = "2"
  }
  set_sensitive {
    name  = "auth.password"
    value = var.api_token
  }
}

module "app" {
  source      = "./modules/app"
  db_password = data.azurerm_key_vault_secret.db.value
}

resource "azurerm_virtual_machine_extension" "domain_join" {
  name                 = "join-domain"
  virtual_machine_id   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
  publisher            = "Microsoft.Compute"
  type                 = "JsonADDomainExtension"
  type_handler_version = "1.3"
  settings = jsonencode({
    Name     = "corp.example.nl"
    User     = "corp\\svc-join"
    Password = ""
  })
  protected_settings = jsonencode({
    Password = var.join_password
  })
}

resource "azurerm_virtual_machine_extension" "script" {
  name                 = "script"
  virtual_machine_id   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
  publisher            = "Microsoft.Compute"
  type                 = "CustomScriptExtension"
  type_handler_version = "1.10"
  protected_settings = jsonencode({
    commandToExecute  = "powershell -File setup.ps1"
    storageAccountKey = azurerm_storage_account.scripts.primary_access_key
  })
}

variable "join_password" {
  type      = string
  sensitive = true
}
