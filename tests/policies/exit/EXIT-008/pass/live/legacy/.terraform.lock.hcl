# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/azurerm" {
  version     = "4.10.0"
  constraints = "~> 4.10"
  hashes = [
    "h1:0000000000000000000000000000000000000000000=",
  ]
}
