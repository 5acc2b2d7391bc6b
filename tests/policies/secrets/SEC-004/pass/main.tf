variable "db_password" {
  type      = string
  sensitive = true
}

variable "api_token" {
  type      = string
  ephemeral = true
}

variable "admin_password" {
  type      = string
  sensitive = true
  default   = null
}

variable "key_vault_id" {
  type    = string
  default = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
}

variable "kms_key_id" {
  type    = string
  default = "arn:aws:kms:eu-west-1:111122223333:key/example"
}

variable "db_password_secret_name" {
  type    = string
  default = "db-password"
}

variable "password_length" {
  type    = number
  default = 24
}

variable "ssh_public_key" {
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly admin@example"
}

variable "enable_secret_rotation" {
  type    = bool
  default = true
}

variable "token" {
  type      = string
  sensitive = true
}

module "app" {
  source = "./modules/app"
}
