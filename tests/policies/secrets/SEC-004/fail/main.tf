variable "db_password" { # expect: SEC-004
  type    = string
  default = "Welkom01!-default" # expect: SEC-004
}

variable "api_token" { # expect: SEC-004
  type = string
}

variable "clientSecret" {
  type      = string
  sensitive = true
  default   = "s3cr3t-default" # expect: SEC-004
}

variable "storage_account_key" { # expect: SEC-004
  type    = string
  default = ""
}

module "app_one" {
  source = "./modules/app"
}

module "app_two" {
  source = "./modules/app"
}
