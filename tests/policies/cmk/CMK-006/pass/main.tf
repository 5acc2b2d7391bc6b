resource "stackit_kms_key" "volume" {
  project_id   = "p"
  keyring_id   = "r"
  display_name = "volume"
  protection   = "software"
  algorithm    = "aes_256_gcm"
  purpose      = "symmetric_encrypt_decrypt"
}

resource "kubernetes_storage_class_v1" "stackit" {
  metadata {
    name = "stackit-encrypted"
  }
  storage_provisioner = "block-storage.csi.stackit.cloud"
  parameters = {
    type              = "storage_premium_perf6"
    encrypted         = "true"
    kmsKeyID          = stackit_kms_key.volume.key_id
    kmsKeyringID      = "r"
    kmsKeyVersion     = "1"
    kmsServiceAccount = "kms@example.org"
  }
}

resource "kubernetes_storage_class" "azure" {
  metadata {
    name = "azure-cmk"
  }
  storage_provisioner = "disk.csi.azure.com"
  parameters = {
    diskencryptionsetid = azurerm_disk_encryption_set.des.id # parameter keys are case-insensitive
  }
}
