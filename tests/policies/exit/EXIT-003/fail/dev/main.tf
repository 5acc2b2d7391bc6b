# Another root module: its protected VM is its own azurerm_linux_virtual_machine.app, not the parent's.
resource "azurerm_linux_virtual_machine" "app" {
  name = "app-dev"
}

resource "azurerm_backup_protected_vm" "app" {
  resource_group_name = "rg-dev"
  recovery_vault_name = "vault-dev"
  source_vm_id        = azurerm_linux_virtual_machine.app.id
  backup_policy_id    = "policy"
}
