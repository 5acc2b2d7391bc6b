provider "azurerm" {
  features {}
  client_secret = "s3cr3t-client-value" # expect: SEC-001
}

provider "aws" {
  alias      = "ci"
  region     = "eu-west-1"
  access_key = "ci-deployer-key-id"
  secret_key = "ci-deployer-secret-value" # expect: SEC-001
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

resource "azurerm_linux_web_app" "app" {
  name = "app"
  app_settings = { # expect: SEC-001
    WEBSITE_RUN_FROM_PACKAGE = "1"
    DB_PASSWORD              = "Welkom01!-app"
  }
  connection_string {
    name  = "db"
    type  = "SQLAzure"
    value = "Server=tcp:db;Password=Welkom01!" # expect: SEC-001
  }
}

resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
  windows_profile {
    admin_username = "azureuser"
    admin_password = "P@ssw0rd1234!" # expect: SEC-001
  }
}

resource "azurerm_container_group" "job" {
  name = "job"
  container {
    name  = "job"
    image = "registry.example.eu/job:1.0"
    environment_variables = { # expect: SEC-001
      API_TOKEN = "tok-9f8e7d6c5b4a"
    }
  }
}

# secure_environment_variables hides a value in the portal, not in the code: a literal there is public too,
# whatever the entry is called
resource "azurerm_container_group" "worker" {
  name = "worker"
  container {
    name  = "worker"
    image = "registry.example.eu/worker:1.0"
    secure_environment_variables = { # expect: SEC-001
      UPSTREAM = "Zq8-rT2w-Lm4x"
    }
  }
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  environment {
    variables = { # expect: SEC-001
      STRIPE_SECRET_KEY = "sk_live_abcdef123456"
    }
  }
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "cache"
  auth_token           = "redis-auth-token-literal" # expect: SEC-001
}

resource "google_cloud_run_v2_service" "api" {
  name = "api"
  template {
    containers {
      image = "europe-docker.pkg.dev/p/r/api:1"
      env {
        name  = "DB_PASSWORD"
        value = "cloudrun-literal-pw" # expect: SEC-001
      }
    }
  }
}

resource "helm_release" "redis" {
  name  = "redis"
  chart = "redis"
  set {
    name  = "auth.password"
    value = "helm-literal-pw" # expect: SEC-001
  }
}

resource "azurerm_linux_web_app" "mixed_settings" {
  name = "mixed"
  app_settings = { # expect: SEC-001
    DB_PASSWORD = "Sup3rS3cretValue!"
    API_KEY     = var.api_key
  }
}

resource "azurerm_virtual_machine_extension" "domain_join" {
  name                 = "join-domain"
  virtual_machine_id   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
  publisher            = "Microsoft.Compute"
  type                 = "JsonADDomainExtension"
  type_handler_version = "1.3"
  settings = jsonencode({
    Name = "corp.example.nl"
    User = "corp\\svc-join"
  })
  protected_settings = jsonencode({ # expect: SEC-001
    Password = "Jo1nDomainPw!x"
  })
}

resource "azurerm_virtual_machine_extension" "script" {
  name                 = "script"
  virtual_machine_id   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
  publisher            = "Microsoft.Compute"
  type                 = "CustomScriptExtension"
  type_handler_version = "1.10"
  protected_settings = jsonencode({ # expect: SEC-001
    commandToExecute  = "powershell -File setup.ps1"
    storageAccountKey = "bG9uZy1zdG9yYWdlLWtleS12YWx1ZS1mb3ItdGVzdHMtb25seQ=="
  })
}

resource "azurerm_linux_virtual_machine_scale_set" "workers" {
  name = "workers"
  extension {
    name                 = "join"
    publisher            = "Microsoft.Compute"
    type                 = "CustomScript"
    type_handler_version = "2.1"
    protected_settings   = jsonencode({ script = "x", credentials = { password = "Sc4leSetPw!x" } }) # expect: SEC-001
  }
}
