resource "aws_kms_key" "data" {
  description             = "Customer-managed key for the data lake buckets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "data" {
  name          = "alias/data-platform"
  target_key_id = aws_kms_key.data.key_id
}

# Compliant: SSE-KMS with the organisation's own key.
resource "aws_s3_bucket" "raw" {
  bucket = "vbstad-data-platform-raw"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

# VIOLATION CMK-001: SSE-S3 (AES256) uses a key managed by AWS, not by the organisation.
resource "aws_s3_bucket" "exports" {
  bucket = "vbstad-data-platform-exports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# VIOLATION CMK-001: alias/aws/s3 is the AWS-managed KMS key, not a customer key.
resource "aws_s3_bucket" "logs" {
  bucket = "vbstad-data-platform-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/aws/s3"
    }
  }
}
