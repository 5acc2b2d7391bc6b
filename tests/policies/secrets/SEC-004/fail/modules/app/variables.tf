variable "admin_password" { # expect: SEC-004
  type = string
}
