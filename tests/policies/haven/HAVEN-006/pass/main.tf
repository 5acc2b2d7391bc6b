resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                   = "user"
  kubernetes_cluster_id  = azurerm_kubernetes_cluster.aks.id
  node_public_ip_enabled = false
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1a"
}

resource "aws_launch_template" "private" {
  name = "nodes"
  network_interfaces {
    associate_public_ip_address = false
  }
}

resource "aws_eks_node_group" "private" {
  cluster_name = "eks"
  subnet_ids   = aws_subnet.private[*].id
  launch_template {
    id      = aws_launch_template.private.id
    version = "$Latest"
  }
}

resource "google_container_cluster" "private" {
  name     = "gke"
  location = "europe-west4"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
  }
}

resource "scaleway_k8s_pool" "private" {
  cluster_id         = "fr-par/1111"
  node_type          = "PRO2-S"
  size               = 3
  public_ip_disabled = true
}

# No cluster-wide setting: the default pool is removed and every pool asks for private nodes itself.
resource "google_container_cluster" "per_pool" {
  name                     = "gke-pools"
  location                 = "europe-west4"
  remove_default_node_pool = true
  initial_node_count       = 1
}

resource "google_container_node_pool" "apps" {
  name    = "apps"
  cluster = google_container_cluster.per_pool.id
  network_config {
    enable_private_nodes = true
  }
}

resource "google_container_cluster" "inline_pools" {
  name     = "gke-inline"
  location = "europe-west4"
  node_pool {
    name = "system"
    network_config {
      enable_private_nodes = true
    }
  }
}

# A self-managed EKS node group in private subnets whose launch template asks for no public IP.
resource "aws_eks_cluster" "self_managed" {
  name     = "eks-self-managed"
  role_arn = "arn:aws:iam::111122223333:role/eks"
}

resource "aws_launch_template" "self_managed" {
  name_prefix = "nodes-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh ${aws_eks_cluster.self_managed.name}")
  network_interfaces {
    associate_public_ip_address = false
  }
}

resource "aws_autoscaling_group" "self_managed" {
  min_size            = 3
  max_size            = 6
  vpc_zone_identifier = aws_subnet.private[*].id
  launch_template {
    id      = aws_launch_template.self_managed.id
    version = "$Latest"
  }
}

# A web tier in a public subnet: its user data joins no cluster, so it is no node group and not judged.
resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = true
}

resource "aws_launch_template" "web" {
  name_prefix = "web-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\nsystemctl start nginx")
  network_interfaces {
    associate_public_ip_address = true
  }
}

resource "aws_autoscaling_group" "web" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.public.id]
  launch_template {
    id = aws_launch_template.web.id
  }
}
