resource "aws_s3_bucket" "this" {
  bucket = "replica"
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
