resource "azurerm_kubernetes_cluster" "aks" { # expect: CMK-005
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name  = "system"
    zones = ["1", "2", "3"]
  }
}

resource "aws_eks_cluster" "eks" { # expect: CMK-005
  name     = "eks"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-a", "subnet-b"]
  }
}

resource "aws_eks_cluster" "wrong_resources" {
  name     = "eks2"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  encryption_config {
    provider {
      key_arn = aws_kms_key.eks.arn
    }
    resources = ["configmaps"] # expect: CMK-005
  }
}

resource "aws_kms_key" "eks" {}

resource "google_container_cluster" "gke" { # expect: CMK-005
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "decrypted" {
  name     = "gke2"
  location = "europe-west4"
  database_encryption {
    state    = "DECRYPTED" # expect: CMK-005
    key_name = ""
  }
}
