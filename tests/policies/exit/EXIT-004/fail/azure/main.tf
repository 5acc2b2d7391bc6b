resource "azurerm_postgresql_flexible_server" "registry" { # expect: EXIT-004
  name = "registry"
  tags = {
    Criticality = "Critical"
  }
}
