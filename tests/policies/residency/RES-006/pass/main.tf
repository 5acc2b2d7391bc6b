resource "azurerm_cognitive_deployment" "gpt" {
  name                 = "gpt"
  cognitive_account_id = "acct"
  model {
    format = "OpenAI"
    name   = "gpt-4o"
  }
  sku {
    name = "DataZoneStandard" # processed within the EU data zone
  }
}

resource "google_compute_backend_service" "api" {
  name       = "api"
  enable_cdn = false
}
