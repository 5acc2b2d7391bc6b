resource "stackit_volume" "data" { # expect: CMK-013
  project_id        = "p"
  name              = "data"
  availability_zone = "eu01-1"
  size              = 64
}

resource "stackit_postgresflex_instance" "db" { # expect: CMK-013
  project_id = "p"
  name       = "db"
  version    = 16
}

resource "stackit_secretsmanager_instance" "sm" { # expect: CMK-013
  project_id = "p"
  name       = "sm"
}
