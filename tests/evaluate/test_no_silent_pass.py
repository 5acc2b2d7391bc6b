"""A check never passes because it could not find or resolve what it needed: a data source's key, a second target
beside one it found, tags from a variable, subnets named by a literal id, a dynamic block over a variable. Each is
reported as unresolved (file, line, rule), and the check that could not judge it records no pass."""
from __future__ import annotations


def _open(result) -> list[tuple[str, int, str]]:
    return sorted((u.path, u.line, u.policy_id) for u in result.unresolved)


def _passed(result, rule: str) -> list[str]:
    return sorted(p.address for p in result.passed if p.policy_id == rule)


def test_an_aws_kms_key_looked_up_by_a_data_source_is_unresolved(write, run_scan, tmp_path):
    """`data "aws_kms_key"` finds the AWS-managed alias/aws/ebs as readily as a customer key: which one is decided
    outside the scanned code. A Key Vault key looked up is always the customer's."""
    root = write({"main.tf": '''provider "aws" { region = "eu-west-1" }
data "aws_kms_key" "managed" {
  key_id = "alias/aws/ebs"
}
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  kms_key_id        = data.aws_kms_key.managed.arn
}
'''}, tmp_path / "kms")
    result = run_scan(root, only=("CMK-002",))
    assert result.findings == []
    assert _open(result) == [("main.tf", 8, "CMK-002")]
    assert "may be an AWS-managed key" in result.unresolved[0].message
    assert _passed(result, "CMK-002") == []



def test_a_key_of_a_type_that_merely_starts_with_data_is_no_data_source(write, run_scan, tmp_path):
    """A `datadog_*` (or `databricks_*`) resource is no key; its id was taken for a data source's and passed."""
    root = write({"main.tf": '''provider "aws" { region = "eu-west-1" }
resource "datadog_monitor" "m" {
  name = "m"
}
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  kms_key_id        = datadog_monitor.m.id
}
'''}, tmp_path / "datadog")
    result = run_scan(root, only=("CMK-002",))
    assert result.findings == []
    assert _open(result) == [("main.tf", 8, "CMK-002")]
    assert _passed(result, "CMK-002") == []


REPLICATION = '''provider "aws" { region = "eu-west-1" }
variable "external_bucket_arn" {}
resource "aws_s3_bucket" "eu" {
  bucket = "dest-eu"
}
resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = "src"
  role   = "arn:aws:iam::111122223333:role/r"
  rule {
    destination { bucket = aws_s3_bucket.eu.arn }
  }
  rule {
    destination { bucket = %s }
  }
}
'''


def test_a_second_replication_target_beside_one_in_the_code_is_unresolved(write, run_scan, tmp_path):
    """One rule's destination is a bucket in the code (judged on its region); another rule's, a variable or a
    literal S3 ARN (which has no region segment), is not known: the configuration does not pass on the first."""
    for name, other in (("variable", "var.external_bucket_arn"), ("literal", '"arn:aws:s3:::bucket-elsewhere"')):
        result = run_scan(write({"main.tf": REPLICATION % other}, tmp_path / name), only=("RES-005",))
        assert result.findings == [], name
        assert _open(result) == [("main.tf", 13, "RES-005")], name    # the second rule's destination
        assert _passed(result, "RES-005") == [], name
    # the bucket's name written out, and its ARN built from it, are the bucket in the code: judged, and passed
    named = run_scan(write({"main.tf": REPLICATION % '"arn:aws:s3:::${aws_s3_bucket.eu.bucket}"'}, tmp_path / "named"),
                     only=("RES-005",))
    assert named.unresolved == [] and named.findings == []
    assert _passed(named, "RES-005") == ["aws_s3_bucket_replication_configuration.r"]


def test_critical_data_with_tags_from_a_variable_is_unresolved(write, run_scan, tmp_path):
    """Whether data is critical is its criticality tag: tags not known statically may carry it."""
    root = write({"main.tf": '''provider "aws" { region = "eu-west-1" }
variable "tags" {}
resource "aws_s3_bucket" "data" {
  bucket = "data"
  tags   = var.tags
}
resource "aws_s3_bucket" "merged" {
  bucket = "merged"
  tags   = merge(var.tags, { owner = "team" })
}
resource "aws_s3_bucket" "plain" {
  bucket = "plain"
  tags   = { owner = "team" }
}
'''}, tmp_path / "tags")
    result = run_scan(root, only=("EXIT-004",))
    assert result.findings == []
    assert _open(result) == [("main.tf", 5, "EXIT-004"), ("main.tf", 9, "EXIT-004")]
    assert _passed(result, "EXIT-004") == ["aws_s3_bucket.plain"]


EKS_LITERAL_SUBNETS = '''resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  vpc_config {
    subnet_ids = %s
  }
}
resource "aws_eks_node_group" "ng" {
  cluster_name  = aws_eks_cluster.c.name
  node_role_arn = "arn:aws:iam::111122223333:role/node"
  subnet_ids    = %s
  scaling_config {
    desired_size = 3
    max_size     = 3
    min_size     = 3
  }
}
'''


def test_node_groups_in_subnets_named_by_literal_ids_do_not_span_zones_for_certain(write, run_scan, tmp_path):
    """Two literal subnet ids name subnets outside the scanned code, which may lie in one zone: unresolved, not two
    zones; a single subnet lies in one zone whichever it is: a finding."""
    two = '["subnet-0aaa", "subnet-0bbb"]'
    result = run_scan(write({"main.tf": EKS_LITERAL_SUBNETS % (two, two)}, tmp_path / "two"), only=("HAVEN-001",))
    assert result.findings == []
    assert _open(result) == [("main.tf", 4, "HAVEN-001")]
    assert "subnet subnet-0aaa (not in the scanned code)" in result.unresolved[0].message
    assert _passed(result, "HAVEN-001") == []
    one = '["subnet-0aaa"]'
    single = run_scan(write({"main.tf": EKS_LITERAL_SUBNETS % (one, one)}, tmp_path / "one"), only=("HAVEN-001",))
    assert [(f.path, f.line, f.policy_id) for f in single.findings] == [("main.tf", 4, "HAVEN-001")]


def test_items_of_a_dynamic_block_over_a_variable_are_unresolved(write, run_scan, tmp_path):
    """A check over each item of a list (`each:`) whose items are not known statically judges none of them: it is
    unresolved for that list, where it used to record nothing, so that the instance counted only as passed (its
    root volume's check holds)."""
    root = write({"main.tf": '''provider "aws" { region = "eu-west-1" }
variable "volumes" {}
resource "aws_kms_key" "k" {}
resource "aws_instance" "a" {
  ami           = "ami-1"
  instance_type = "t3.micro"
  root_block_device {
    kms_key_id = aws_kms_key.k.arn
  }
  dynamic "ebs_block_device" {
    for_each = var.volumes
    content {
      device_name = ebs_block_device.value.device_name
      kms_key_id  = ebs_block_device.value.kms_key_id
    }
  }
}
resource "aws_instance" "known" {
  ami           = "ami-1"
  instance_type = "t3.micro"
  root_block_device {
    kms_key_id = aws_kms_key.k.arn
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    kms_key_id  = aws_kms_key.k.arn
  }
}
'''}, tmp_path / "dynamic")
    result = run_scan(root, only=("CMK-002",))
    assert result.findings == []
    assert _open(result) == [("main.tf", 10, "CMK-002")]   # the dynamic block
    assert "var.volumes" in result.unresolved[0].message
    assert result.checks == 4    # a: its root volume, its volumes (unresolved); known: its root volume, its volume


TWO_TARGETS = '''provider "aws" { region = "eu-west-1" }
variable "dr_region" {}
resource "aws_s3_bucket" "dr" {
  bucket = "dest-dr"
  region = var.dr_region
}
resource "aws_s3_bucket" "us" {
  bucket = "dest-us"
  region = "us-east-1"
}
resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = "src"
  role   = "arn:aws:iam::111122223333:role/r"
  rule {
    destination { bucket = FIRST }
  }
  rule {
    destination { bucket = SECOND }
  }
}
'''


def test_a_replication_target_outside_the_allowed_regions_is_a_finding_beside_one_not_known(write, run_scan, tmp_path):
    """Two rules: one replicates to a bucket in us-east-1, the other to one whose region is a variable. Only the
    last rule's buckets were read (the other rule's were forgotten), and the first target whose region was not
    known left the check unresolved: replication to the US was unresolved, or a finding, by the rules' order."""
    for name, first, second, line in (("us-first", "aws_s3_bucket.us.arn", "aws_s3_bucket.dr.arn", 15),
                                      ("us-last", "aws_s3_bucket.dr.arn", "aws_s3_bucket.us.arn", 18)):
        text = TWO_TARGETS.replace("FIRST", first).replace("SECOND", second)
        result = run_scan(write({"main.tf": text}, tmp_path / name), only=("RES-005",))
        assert [(f.path, f.line, f.policy_id) for f in result.findings] == [("main.tf", line, "RES-005")], name
        assert "aws_s3_bucket.us: us-east-1 (US, tier third-country)" in result.findings[0].message, name
        assert result.unresolved == [], name


SECRET_REPLICAS = '''provider "google" { region = "europe-west4" }
variable "key" {}
resource "google_kms_crypto_key" "k" {
  name     = "k"
  key_ring = "ring"
}
resource "google_secret_manager_secret" "s" {
  secret_id = "s"
  replication {
    user_managed {
      replicas {
        location = "europe-west4"
        customer_managed_encryption {
          kms_key_name = FIRST
        }
      }
      replicas {
        location = "europe-west1"
        customer_managed_encryption {
          kms_key_name = SECOND
        }
      }
    }
  }
}
'''


def test_a_key_not_known_statically_is_judged_by_its_own_block_references(write, run_scan, tmp_path):
    """Two replicas: one encrypted with the crypto key in the code, the other with a variable. The variable passed
    as built from a customer key when the last replica referred to one (a path's references were the last block's),
    and was unresolved the other way round."""
    for name, first, second, line in (("variable-first", "var.key", "google_kms_crypto_key.k.id", 14),
                                      ("variable-last", "google_kms_crypto_key.k.id", "var.key", 20)):
        text = SECRET_REPLICAS.replace("FIRST", first).replace("SECOND", second)
        result = run_scan(write({"main.tf": text}, tmp_path / name), only=("CMK-004",))
        assert result.findings == [], name
        assert _open(result) == [("main.tf", line, "CMK-004")], name
