resource "azurerm_key_vault_key" "k" {
  name         = "k"
  key_vault_id = "kv"
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]
}

resource "azurerm_servicebus_namespace" "premium" {
  name     = "sb"
  location = "westeurope"
  sku      = "Premium"
  customer_managed_key {
    key_vault_key_id = azurerm_key_vault_key.k.id
    identity_id      = "uai"
  }
}

resource "azurerm_servicebus_namespace" "standard" { # no customer key possible on Standard: not checked
  name     = "sb2"
  location = "westeurope"
  sku      = "Standard"
}

resource "azurerm_eventhub_namespace" "premium" {
  name     = "eh"
  location = "westeurope"
  sku      = "Premium"
}

resource "azurerm_eventhub_namespace_customer_managed_key" "eh" {
  eventhub_namespace_id = azurerm_eventhub_namespace.premium.id
  key_vault_key_ids     = [azurerm_key_vault_key.k.id]
}

resource "azurerm_container_registry" "acr" {
  name     = "acr"
  location = "westeurope"
  sku      = "Premium"
  encryption {
    key_vault_key_id   = azurerm_key_vault_key.k.id
    identity_client_id = "client"
  }
}

resource "azurerm_recovery_services_vault" "rsv" {
  name     = "rsv"
  location = "westeurope"
  sku      = "Standard"
  encryption {
    key_id                            = azurerm_key_vault_key.k.id
    infrastructure_encryption_enabled = true
    use_system_assigned_identity      = true
  }
}

resource "aws_kms_key" "k" {
  enable_key_rotation = true
}

locals {
  data_key = aws_kms_key.k.arn # through a local
}

resource "aws_sqs_queue" "q" {
  name              = "q"
  kms_master_key_id = local.data_key
}

resource "aws_sns_topic" "t" {
  name              = "t"
  kms_master_key_id = aws_kms_key.k.id
}

resource "aws_cloudwatch_log_group" "logs" {
  name       = "/app/logs"
  kms_key_id = aws_kms_key.k.arn
}

resource "aws_kinesis_stream" "stream" {
  name            = "s"
  shard_count     = 1
  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.k.arn
}

resource "aws_ecr_repository" "repo" {
  name = "repo"
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.k.arn
  }
}

resource "aws_ssm_parameter" "plain" { # not a SecureString: not checked
  name  = "/app/endpoint"
  type  = "String"
  value = "https://example.org"
}

resource "google_kms_crypto_key" "k" {
  name     = "k"
  key_ring = "projects/p/locations/europe-west4/keyRings/r"
}

resource "google_pubsub_topic" "topic" {
  name         = "topic"
  kms_key_name = google_kms_crypto_key.k.id
}

resource "google_secret_manager_secret" "secret" {
  secret_id = "s"
  replication {
    user_managed {
      replicas {
        location = "europe-west4"
        customer_managed_encryption {
          kms_key_name = google_kms_crypto_key.k.id
        }
      }
    }
  }
}

resource "google_logging_project_bucket_config" "logs" {
  project   = "p"
  location  = "europe-west4"
  bucket_id = "app"
  cmek_settings {
    kms_key_name = google_kms_crypto_key.k.id
  }
}

resource "aws_lambda_function" "env_customer_key" {
  function_name = "orders"
  role          = "arn:aws:iam::111122223333:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
  kms_key_arn   = aws_kms_key.lambda.arn
  environment {
    variables = {
      TABLE = "orders"
    }
  }
}

resource "aws_kms_key" "lambda" {
  description = "lambda environment"
}

# No environment variables: nothing for kms_key_arn to encrypt.
resource "aws_lambda_function" "no_env" {
  function_name = "ping"
  role          = "arn:aws:iam::111122223333:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "ping.zip"
}
