terraform {
  required_providers {
    azurerm = { # expect: RES-010
      source = "hashicorp/azurerm"
    }
    ovh = {
      source = "ovh/ovh"
    }
  }
}

provider "google" { # expect: RES-010
  region = "europe-west4"
}
