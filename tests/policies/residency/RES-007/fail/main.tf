terraform {
  required_providers {
    azurerm = { # expect: RES-007
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
    stackit = {
      source = "stackitcloud/stackit"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

# Not declared in required_providers: reported at the provider block.
provider "google" { # expect: RES-007
  region = "europe-west4"
}

module "storage" {
  source = "./modules/storage"
}
