resource "azurerm_servicebus_namespace" "premium" { # expect: CMK-004
  name     = "sb"
  location = "westeurope"
  sku      = "Premium"
}

resource "azurerm_eventhub_namespace" "premium" { # expect: CMK-004
  name     = "eh"
  location = "westeurope"
  sku      = "Premium"
}

resource "azurerm_container_registry" "acr" { # expect: CMK-004
  name     = "acr"
  location = "westeurope"
  sku      = "Premium"
}

resource "azurerm_recovery_services_vault" "rsv" { # expect: CMK-004
  name     = "rsv"
  location = "westeurope"
  sku      = "Standard"
}

resource "aws_sqs_queue" "sse_sqs" { # expect: CMK-004
  name                    = "q"
  sqs_managed_sse_enabled = true
}

resource "aws_sns_topic" "aws_managed" {
  name              = "t"
  kms_master_key_id = "alias/aws/sns" # expect: CMK-004
}

resource "aws_cloudwatch_log_group" "logs" { # expect: CMK-004
  name              = "/app/logs"
  retention_in_days = 90
}

resource "aws_kinesis_stream" "stream" {
  name            = "s"
  shard_count     = 1
  encryption_type = "KMS"
  kms_key_id      = "alias/aws/kinesis" # expect: CMK-004
}

resource "aws_ecr_repository" "repo" { # expect: CMK-004
  name = "repo"
}

resource "aws_ssm_parameter" "secret" { # expect: CMK-004
  name  = "/app/password"
  type  = "SecureString"
  value = "placeholder"
}

resource "google_pubsub_topic" "topic" { # expect: CMK-004
  name = "topic"
}

resource "google_secret_manager_secret" "secret" {
  secret_id = "s"
  replication {
    auto {} # expect: CMK-004
  }
}

resource "aws_lambda_function" "env_service_key" { # expect: CMK-004 (no kms_key_arn: the Lambda service key)
  function_name = "orders"
  role          = "arn:aws:iam::111122223333:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
  environment {
    variables = {
      TABLE = "orders"
    }
  }
}
