resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1", "2", "3"]
  }
  key_management_service {
    key_vault_key_id         = azurerm_key_vault_key.etcd.id
    key_vault_network_access = "Private"
  }
}

resource "aws_kms_key" "eks" {
  enable_key_rotation = true
}

resource "aws_eks_cluster" "eks" {
  name     = "eks"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  encryption_config {
    provider {
      key_arn = aws_kms_key.eks.arn
    }
    resources = ["secrets"]
  }
}

resource "google_container_cluster" "gke" {
  name     = "gke"
  location = "europe-west4"
  database_encryption {
    state    = "ENCRYPTED"
    key_name = google_kms_crypto_key.etcd.id
  }
}
