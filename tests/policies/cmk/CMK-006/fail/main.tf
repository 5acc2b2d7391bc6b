resource "kubernetes_storage_class_v1" "stackit" {
  metadata {
    name = "stackit-unencrypted"
  }
  storage_provisioner = "block-storage.csi.stackit.cloud"
  parameters = { # expect: CMK-006
    type = "storage_premium_perf6"
  }
}

resource "kubernetes_storage_class" "ebs" {
  metadata {
    name = "ebs-unencrypted"
  }
  storage_provisioner = "ebs.csi.aws.com"
  parameters = { # expect: CMK-006
    type      = "gp3"
    encrypted = "false"
  }
}
