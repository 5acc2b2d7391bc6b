variable "admin_password" {
  type = string
}

output "admin_password" {
  value = "Password=${var.admin_password}" # expect: SEC-005
}
