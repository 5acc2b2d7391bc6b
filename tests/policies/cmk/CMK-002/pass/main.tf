resource "azurerm_key_vault_key" "disk" {
  name         = "disk"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_disk_encryption_set" "des" {
  name             = "des"
  location         = "westeurope"
  key_vault_key_id = azurerm_key_vault_key.disk.id
}

resource "azurerm_managed_disk" "data" {
  name                   = "data"
  location               = "westeurope"
  storage_account_type   = "Premium_LRS"
  create_option          = "Empty"
  disk_size_gb           = 64
  disk_encryption_set_id = azurerm_disk_encryption_set.des.id
}

resource "azurerm_windows_virtual_machine" "confidential" {
  name     = "cvm"
  location = "westeurope"
  os_disk {
    caching                          = "ReadWrite"
    storage_account_type             = "Premium_LRS"
    security_encryption_type         = "DiskWithVMGuestState"
    secure_vm_disk_encryption_set_id = azurerm_disk_encryption_set.des.id
  }
}

resource "azurerm_linux_virtual_machine_scale_set" "vmss" {
  name     = "vmss"
  location = "westeurope"
  os_disk {
    caching                = "ReadWrite"
    storage_account_type   = "Premium_LRS"
    disk_encryption_set_id = azurerm_disk_encryption_set.des.id
  }
  data_disk {
    lun                    = 0
    caching                = "None"
    disk_size_gb           = 128
    storage_account_type   = "Premium_LRS"
    disk_encryption_set_id = azurerm_disk_encryption_set.des.id
  }
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                   = "aks"
  location               = "westeurope"
  disk_encryption_set_id = azurerm_disk_encryption_set.des.id
}

resource "aws_kms_key" "ebs" {
  enable_key_rotation = true
}

resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  root_block_device {
    encrypted  = true
    kms_key_id = aws_kms_key.ebs.arn
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted   = true
    kms_key_id  = aws_kms_key.ebs.arn
  }
}

resource "aws_launch_template" "nodes" {
  name = "nodes"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted  = true
      kms_key_id = aws_kms_key.ebs.arn
    }
  }
  block_device_mappings {
    device_name  = "/dev/sdb"
    virtual_name = "ephemeral0" # instance store: no EBS volume
  }
}

# The key crosses a module boundary: the module's volume gets it through a variable.
module "disk" {
  source     = "./modules/disk"
  kms_key_id = aws_kms_key.ebs.arn
}

resource "google_kms_crypto_key" "disk" {
  name            = "disk"
  key_ring        = "projects/p/locations/europe-west4/keyRings/r"
  rotation_period = "7776000s"
}

resource "google_compute_disk" "data" {
  name = "data"
  zone = "europe-west4-a"
  disk_encryption_key {
    kms_key_self_link = google_kms_crypto_key.disk.id
  }
}

resource "google_compute_instance" "vm" {
  name         = "vm"
  zone         = "europe-west4-a"
  machine_type = "e2-small"
  boot_disk {
    kms_key_self_link = google_kms_crypto_key.disk.id
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
}

resource "google_compute_instance" "existing_disk" {
  name         = "vm2"
  zone         = "europe-west4-a"
  machine_type = "e2-small"
  boot_disk {
    source = google_compute_disk.data.id
  }
}

resource "google_container_node_pool" "pool" {
  name    = "pool"
  cluster = "gke"
  node_config {
    machine_type      = "e2-standard-4"
    boot_disk_kms_key = google_kms_crypto_key.disk.id
  }
}

resource "aws_instance" "from_template" {
  launch_template {
    id      = aws_launch_template.nodes.id
    version = "$Latest"
  }
}

resource "aws_ebs_volume" "source" {
  availability_zone = "eu-central-1a"
  size              = 40
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}

# The snapshot has its volume's encryption: judged on the volume above.
resource "aws_ebs_snapshot" "nightly" {
  volume_id = aws_ebs_volume.source.id
}

resource "aws_ebs_snapshot_copy" "customer_key" {
  source_snapshot_id = aws_ebs_snapshot.nightly.id
  source_region      = "eu-central-1"
  encrypted          = true
  kms_key_id         = aws_kms_key.ebs.arn
}
