resource "stackit_kms_keyring" "ring" {
  project_id   = "p"
  display_name = "ring"
}

resource "stackit_kms_key" "kek" {
  project_id   = "p"
  keyring_id   = stackit_kms_keyring.ring.keyring_id
  display_name = "kek"
  protection   = "software"
  algorithm    = "aes_256_gcm"
  purpose      = "symmetric_encrypt_decrypt"
}

resource "stackit_volume" "data" {
  project_id        = "p"
  name              = "data"
  availability_zone = "eu01-1"
  size              = 64
  encryption_parameters = {
    kek_key_id      = stackit_kms_key.kek.key_id
    kek_keyring_id  = stackit_kms_keyring.ring.keyring_id
    kek_key_version = 1
    service_account = "kms@example.org"
  }
}

resource "stackit_sqlserverflex_instance" "db" {
  project_id = "p"
  name       = "db"
  encryption = {
    kek_key_id      = stackit_kms_key.kek.key_id
    kek_keyring_id  = stackit_kms_keyring.ring.keyring_id
    kek_key_version = "1"
    service_account = "kms@example.org"
  }
}

resource "stackit_secretsmanager_instance" "sm" {
  project_id = "p"
  name       = "sm"
  kms_key = {
    key_id                = stackit_kms_key.kek.key_id
    key_ring_id           = stackit_kms_keyring.ring.keyring_id
    key_version           = 1
    service_account_email = "kms@example.org"
  }
}
