resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = "westeurope"
  default_node_pool {
    name                   = "system"
    node_public_ip_enabled = true # expect: HAVEN-006
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "legacy" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  enable_node_public_ip = true # expect: HAVEN-006
}

resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = true
}

resource "aws_eks_node_group" "public_subnet" {
  cluster_name = "eks"
  subnet_ids   = [aws_subnet.public.id] # expect: HAVEN-006
}

resource "aws_launch_template" "public" {
  name = "nodes"
  network_interfaces {
    associate_public_ip_address = true
  }
}

resource "aws_subnet" "private" {
  vpc_id            = "vpc-1"
  availability_zone = "eu-west-1b"
}

resource "aws_eks_node_group" "public_template" {
  cluster_name = "eks"
  subnet_ids   = [aws_subnet.private.id]
  launch_template { # expect: HAVEN-006
    id      = aws_launch_template.public.id
    version = "$Latest"
  }
}

resource "google_container_cluster" "public" { # expect: HAVEN-006
  name     = "gke"
  location = "europe-west4"
}

resource "google_container_cluster" "public_explicit" {
  name     = "gke2"
  location = "europe-west4"
  private_cluster_config {
    enable_private_nodes = false # expect: HAVEN-006
  }
}

# The default pool is gone, but one of its pools does not ask for private nodes.
resource "google_container_cluster" "mixed" { # expect: HAVEN-006
  name                     = "gke3"
  location                 = "europe-west4"
  remove_default_node_pool = true
  initial_node_count       = 1
}

resource "google_container_node_pool" "private" {
  name    = "private"
  cluster = google_container_cluster.mixed.id
  network_config {
    enable_private_nodes = true
  }
}

resource "google_container_node_pool" "public" {
  name    = "public"
  cluster = google_container_cluster.mixed.id
}

resource "scaleway_k8s_pool" "public" { # expect: HAVEN-006
  cluster_id = "fr-par/1111"
  node_type  = "PRO2-S"
  size       = 3
}

# Self-managed EKS node groups: autoscaling groups whose launch template's user data joins nodes to the cluster.
resource "aws_eks_cluster" "self_managed" {
  name     = "eks-self-managed"
  role_arn = "arn:aws:iam::111122223333:role/eks"
}

resource "aws_launch_template" "self_managed_public" {
  name_prefix = "public-nodes-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh ${aws_eks_cluster.self_managed.name}")
  network_interfaces {
    associate_public_ip_address = true
  }
}

resource "aws_autoscaling_group" "self_managed_public_template" {
  min_size            = 1
  max_size            = 3
  vpc_zone_identifier = [aws_subnet.private.id]
  launch_template { # expect: HAVEN-006
    id      = aws_launch_template.self_managed_public.id
    version = "$Latest"
  }
}

resource "aws_launch_template" "self_managed_private" {
  name_prefix = "nodes-"
  image_id    = "ami-0123456789abcdef0"
  user_data   = base64encode("#!/bin/bash\n/etc/eks/bootstrap.sh ${aws_eks_cluster.self_managed.name}")
}

resource "aws_autoscaling_group" "self_managed_public_subnet" {
  min_size            = 1
  max_size            = 3
  vpc_zone_identifier = [aws_subnet.public.id] # expect: HAVEN-006
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.self_managed_private.id
      }
    }
  }
}
