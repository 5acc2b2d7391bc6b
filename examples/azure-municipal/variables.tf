variable "subscription_id" {
  description = "Azure subscription of the platform landing zone."
  type        = string
}

variable "prefix" {
  description = "Short name used in every resource name (lower case, no dashes for storage accounts)."
  type        = string
}

variable "location" {
  description = "Azure region for all resources. Keep it inside the EU."
  type        = string
  default     = "westeurope"
}

variable "tags" {
  description = "Tags required by the municipality's tagging policy."
  type        = map(string)
  default     = {}
}

variable "sql_admin_password" {
  description = "Administrator password of the zaken database server. Supply it via TF_VAR_sql_admin_password."
  type        = string
  sensitive   = true
}
