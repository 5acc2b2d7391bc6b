provider "aws" {
  region = "eu-central-1"
}

variable "location" {
  default = "westeurope"
}

resource "azurerm_log_analytics_workspace" "eu" {
  name     = "law"
  location = var.location
}

resource "azurerm_storage_account" "archive" {
  name     = "archive"
  location = "germanywestcentral"
}

resource "azurerm_monitor_diagnostic_setting" "kv" {
  name                       = "diag"
  target_resource_id         = "kv"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.eu.id
  storage_account_id         = azurerm_storage_account.archive.id
}

resource "aws_s3_bucket" "trail" {
  bucket = "trail-logs"
}

resource "aws_cloudtrail" "org" {
  name                  = "org"
  s3_bucket_name        = aws_s3_bucket.trail.id
  is_multi_region_trail = true
}

resource "google_logging_project_bucket_config" "eu" {
  project   = "p"
  location  = "europe-west4"
  bucket_id = "app"
}

resource "google_storage_bucket" "sink" {
  name     = "audit-sink"
  location = "EU"
}

resource "google_logging_project_sink" "audit" {
  name        = "audit"
  destination = "storage.googleapis.com/${google_storage_bucket.sink.name}"
}

resource "azapi_resource" "arm_logs" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "starmlogs"
  location  = "westeurope"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body      = { kind = "StorageV2", sku = { name = "Standard_LRS" } }
}

resource "azurerm_monitor_diagnostic_setting" "to_arm_account" {
  name               = "diag-arm"
  target_resource_id = "kv"
  storage_account_id = azapi_resource.arm_logs.id
}

resource "azurerm_storage_account" "eu_logs" {
  name                     = "steulogs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_network_watcher_flow_log" "nsg" {
  name                 = "flow"
  network_watcher_name = "nw"
  resource_group_name  = "rg"
  storage_account_id   = azurerm_storage_account.eu_logs.id
  enabled              = true
  retention_policy {
    enabled = true
    days    = 30
  }
  traffic_analytics {
    enabled               = true
    workspace_id          = "00000000-0000-0000-0000-000000000000"
    workspace_region      = "westeurope"
    workspace_resource_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
  }
}

resource "azurerm_monitor_aad_diagnostic_setting" "entra" {
  name               = "entra"
  storage_account_id = azurerm_storage_account.eu_logs.id
  enabled_log {
    category = "SignInLogs"
  }
}
