terraform {
  required_providers {
    ovh = {
      source = "registry.terraform.io/ovh/ovh"
    }
    stackit = {
      source = "stackitcloud/stackit"
    }
    openstack = {
      source = "terraform-provider-openstack/openstack"
    }
    kubernetes = {
      source = "hashicorp/kubernetes" # not a hosting service: no SEAL of its own
    }
  }
}

# The OpenStack operator is told by its auth_url: Cleura (SE), SEAL 3-4.
provider "openstack" {
  auth_url = "https://fra1.citycloud.com:5000/v3"
  region   = "Fra1"
}
