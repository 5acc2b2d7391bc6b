resource "aws_kms_key" "eks" {
  description         = "Envelope encryption of Kubernetes secrets"
  enable_key_rotation = true
}

# Compliant: Kubernetes secrets are encrypted with a customer KMS key (CMK-005).
resource "aws_eks_cluster" "data" {
  name     = "data-platform"
  role_arn = var.cluster_role_arn
  version  = "1.31"

  vpc_config {
    subnet_ids              = module.vpc.private_subnets
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}

# VIOLATION HAVEN-001 (reported on `aws_eks_cluster.data`): all nodes in one subnet, so in one availability zone.
resource "aws_eks_node_group" "batch" {
  cluster_name    = aws_eks_cluster.data.name
  node_group_name = "batch"
  node_role_arn   = var.node_role_arn
  subnet_ids      = [module.vpc.private_subnets[0]]
  instance_types  = ["m6i.xlarge"]

  scaling_config {
    desired_size = 2
    min_size     = 1
    max_size     = 4
  }
}
