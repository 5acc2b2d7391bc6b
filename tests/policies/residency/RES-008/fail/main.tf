provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "london"
  region = "eu-west-2"
}

resource "azurerm_log_analytics_workspace" "us" {
  name     = "law-us"
  location = "eastus"
}

resource "azurerm_monitor_diagnostic_setting" "kv" {
  name                       = "diag"
  target_resource_id         = "kv"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.us.id # expect: RES-008
}

resource "aws_s3_bucket" "trail" {
  provider = aws.london
  bucket   = "trail-logs"
}

resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = aws_s3_bucket.trail.id # expect: RES-008
}

resource "google_logging_project_bucket_config" "global" {
  project   = "p"
  location  = "global" # expect: RES-008
  bucket_id = "app"
}

# A raw ARM storage account (azapi) in a US region receiving diagnostic logs.
resource "azapi_resource" "arm_logs" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "starmlogs"
  location  = "eastus"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body      = { kind = "StorageV2", sku = { name = "Standard_LRS" } }
}

resource "azurerm_monitor_diagnostic_setting" "to_arm_account" {
  name               = "diag-arm"
  target_resource_id = "kv"
  storage_account_id = azapi_resource.arm_logs.id # expect: RES-008
}

resource "azurerm_storage_account" "us_logs" {
  name                     = "stuslogs"
  location                 = "eastus"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_network_watcher_flow_log" "nsg" {
  name                 = "flow"
  network_watcher_name = "nw"
  resource_group_name  = "rg"
  storage_account_id   = azurerm_storage_account.us_logs.id # expect: RES-008
  enabled              = true
  retention_policy {
    enabled = true
    days    = 30
  }
  traffic_analytics {
    enabled               = true
    workspace_id          = "00000000-0000-0000-0000-000000000000"
    workspace_region      = "centralus" # expect: RES-008
    workspace_resource_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
  }
}

resource "azurerm_monitor_log_profile" "activity" {
  name               = "default"
  categories         = ["Action", "Delete", "Write"]
  locations          = ["westeurope", "global"]
  storage_account_id = azurerm_storage_account.us_logs.id # expect: RES-008
  retention_policy {
    enabled = true
    days    = 365
  }
}
