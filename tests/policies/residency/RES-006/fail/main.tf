resource "azurerm_cdn_frontdoor_profile" "fd" { # expect: RES-006
  name     = "fd"
  sku_name = "Standard_AzureFrontDoor"
}

resource "aws_cloudfront_distribution" "site" { # expect: RES-006
  enabled = true
}

resource "azurerm_cognitive_deployment" "gpt" {
  name                 = "gpt"
  cognitive_account_id = "acct"
  model {
    format = "OpenAI"
    name   = "gpt-4o"
  }
  sku {
    name = "GlobalStandard" # expect: RES-006
  }
}

resource "google_compute_backend_service" "cdn" {
  name       = "web"
  enable_cdn = true # expect: RES-006
}
