resource "aws_iam_access_key" "ci" {
  user = "ci"
}

output "secret_access_key" {
  value = aws_iam_access_key.ci.secret # expect: SEC-005
}
