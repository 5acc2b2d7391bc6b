resource "aws_eks_cluster" "eks" {
  name = "eks"
}

resource "aws_eks_addon" "metrics" {
  cluster_name = aws_eks_cluster.eks.name
  addon_name   = "metrics-server"
}
