terraform {
  backend "local" { # expect: SEC-006
    path = "state/terraform.tfstate"
  }
}
