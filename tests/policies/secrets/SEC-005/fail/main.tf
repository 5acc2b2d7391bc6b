variable "api_token" {
  type = string
}

resource "random_string" "pw" {
  length = 20
}

# random_string is not marked sensitive (random_password is): Terraform prints it
output "db_password" {
  value = random_string.pw.result # expect: SEC-005
}

# whatever the caller passes is printed after every apply
output "token" {
  value = var.api_token # expect: SEC-005
}

module "db" {
  source = "./modules/db"
}
