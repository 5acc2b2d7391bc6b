resource "aws_subnet" "a" {
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1a"
}

resource "aws_eks_cluster" "eks" {
  name = "eks"
  vpc_config { # expect: HAVEN-001
    subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  }
}

# Two subnets, but both in eu-west-1a.
resource "aws_eks_node_group" "workers" {
  cluster_name = aws_eks_cluster.eks.name
  subnet_ids   = [aws_subnet.a.id, aws_subnet.b.id]
}

# One subnet, whichever it is, lies in one availability zone
variable "subnet_id" {}

resource "aws_eks_cluster" "one_subnet" {
  name = "eks-one"
  vpc_config { # expect: HAVEN-001
    subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  }
}

resource "aws_eks_node_group" "one_subnet" {
  cluster_name = aws_eks_cluster.one_subnet.name
  subnet_ids   = [var.subnet_id]
}
