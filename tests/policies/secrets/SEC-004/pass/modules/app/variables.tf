variable "admin_password" {
  type      = string
  sensitive = true
}
