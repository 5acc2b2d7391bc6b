variable "cluster_id" {}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = var.cluster_id
  node_count            = 2
}
