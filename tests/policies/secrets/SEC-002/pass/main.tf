variable "github_token" {
  type      = string
  sensitive = true
}

locals {
  storage_connection = "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=${var.github_token}"
  download_url       = "https://logs.blob.core.windows.net/exports/dump.sql?sig=${var.github_token}"
}
