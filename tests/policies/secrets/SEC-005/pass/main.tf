resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks"
}

resource "azurerm_key_vault_secret" "db" {
  name  = "db"
  value = random_password.db.result
}

resource "random_password" "db" {
  length = 24
}

resource "aws_iam_access_key" "ci" {
  user    = "ci"
  pgp_key = "keybase:ci"
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
}

output "kube_config" {
  value     = azurerm_kubernetes_cluster.aks.kube_config_raw
  sensitive = true
}

output "db_password_secret_id" {
  value = azurerm_key_vault_secret.db.id
}

output "secret" {
  value = aws_iam_access_key.ci.encrypted_secret
}

output "kubeconfig_certificate_authority_data" {
  value = aws_eks_cluster.eks.certificate_authority[0].data
}

output "cluster_name" {
  value = azurerm_kubernetes_cluster.aks.name
}

output "db_token" {
  value     = random_password.db.result
  ephemeral = true
}

resource "azurerm_storage_account" "sa" {
  name = "sa"
}

# the provider marks these sensitive: Terraform refuses a root module output of them without
# sensitive = true, so they are never printed (a plan error, not a leak)
output "storage" {
  value = azurerm_storage_account.sa.primary_access_key
}

output "vault_value" {
  value = data.azurerm_key_vault_secret.token.value
}

output "ci_secret_access_key" {
  value = aws_iam_access_key.ci.secret
}

module "db" {
  source = "./modules/db"
}

output "db_server_id" {
  value = module.db.server_id
}
