variable "ebs_key" {
  default = "alias/aws/ebs" # an AWS-managed key, not a customer key
}

resource "azurerm_managed_disk" "data" { # expect: CMK-002
  name                 = "data"
  location             = "westeurope"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = 64
}

resource "azurerm_linux_virtual_machine" "vm" {
  name     = "vm"
  location = "westeurope"
  os_disk { # expect: CMK-002
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
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
  data_disk { # expect: CMK-002
    lun                  = 0
    caching              = "None"
    disk_size_gb         = 128
    storage_account_type = "Premium_LRS"
  }
}

resource "azurerm_kubernetes_cluster" "aks" { # expect: CMK-002
  name     = "aks"
  location = "westeurope"
}

resource "aws_ebs_volume" "no_key" { # expect: CMK-002
  availability_zone = "eu-central-1a"
  size              = 40
  encrypted         = true
}

resource "aws_ebs_volume" "aws_managed" {
  availability_zone = "eu-central-1a"
  size              = 40
  encrypted         = true
  kms_key_id        = var.ebs_key # expect: CMK-002
}

resource "aws_instance" "no_root_device" { # expect: CMK-002
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
}

resource "aws_instance" "extra_volume" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  root_block_device {
    encrypted  = true
    kms_key_id = aws_kms_key.ebs.arn
  }
  ebs_block_device { # expect: CMK-002
    device_name = "/dev/sdf"
    volume_size = 100
    encrypted   = true
  }
}

resource "aws_launch_template" "nodes" {
  name = "nodes"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs { # expect: CMK-002
      volume_size = 50
      encrypted   = true
    }
  }
}

resource "google_compute_disk" "data" { # expect: CMK-002
  name = "data"
  zone = "europe-west4-a"
  size = 100
}

resource "google_compute_instance" "vm" {
  name         = "vm"
  zone         = "europe-west4-a"
  machine_type = "e2-small"
  boot_disk { # expect: CMK-002
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
}

resource "google_container_node_pool" "pool" {
  name    = "pool"
  cluster = "gke"
  node_config { # expect: CMK-002
    machine_type = "e2-standard-4"
  }
}

resource "aws_kms_key" "ebs" {
  enable_key_rotation = true
}

resource "aws_ebs_snapshot_copy" "default_key" { # expect: CMK-002
  source_snapshot_id = "snap-0123456789abcdef0"
  source_region      = "eu-west-1"
  encrypted          = true
}

resource "aws_ebs_snapshot_import" "unencrypted" { # expect: CMK-002
  disk_container {
    format = "VHD"
    url    = "s3://disk-images/source.vhd"
  }
}

resource "aws_launch_template" "image_root" { # expect: CMK-002
  name     = "image-root"
  image_id = "ami-0123456789abcdef0"
}
