resource "aws_subnet" "a" {
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1b"
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
  vpc_config {
    subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  }
}

resource "aws_eks_node_group" "workers" {
  cluster_name = aws_eks_cluster.eks.name
  subnet_ids   = [aws_subnet.a.id, aws_subnet.b.id]
}

# EKS Auto Mode: no node groups; the nodes go into the cluster's subnets.
resource "aws_eks_cluster" "auto" {
  name = "auto"
  compute_config {
    enabled = true
  }
  vpc_config {
    subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  }
}
