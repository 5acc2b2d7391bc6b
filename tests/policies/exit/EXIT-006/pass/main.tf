resource "aws_lambda_function" "intake" {
  function_name = "intake"
  package_type  = "Image"
  image_uri     = "111122223333.dkr.ecr.eu-central-1.amazonaws.com/intake@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"
}

resource "azurerm_linux_function_app" "notify" {
  name = "notify"
  site_config {
    application_stack {
      docker {
        registry_url = "registry.example.eu"
        image_name   = "notify"
        image_tag    = "1.4.2"
      }
    }
  }
}
