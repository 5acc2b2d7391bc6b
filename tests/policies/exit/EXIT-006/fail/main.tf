resource "aws_lambda_function" "intake" { # expect: EXIT-006
  function_name = "intake"
  runtime       = "python3.12"
  handler       = "app.handler"
}

resource "azurerm_linux_function_app" "notify" { # expect: EXIT-006
  name = "notify"
  site_config {
    application_stack {
      python_version = "3.12"
    }
  }
}

resource "google_cloudfunctions2_function" "thumbnail" { # expect: EXIT-006
  name     = "thumbnail"
  location = "europe-west4"
}
