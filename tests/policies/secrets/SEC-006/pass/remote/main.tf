terraform {
  backend "remote" {
    organization = "gemeente-voorbeeld"
    workspaces {
      name = "platform-prod"
    }
  }
}
