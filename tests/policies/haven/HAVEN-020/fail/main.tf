resource "aws_eks_cluster" "eks" { # expect: HAVEN-020
  name = "eks"
}

resource "aws_eks_addon" "coredns" {
  cluster_name = aws_eks_cluster.eks.name
  addon_name   = "coredns"
}
