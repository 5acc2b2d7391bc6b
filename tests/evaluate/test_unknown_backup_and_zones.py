"""False violations from unknowns in EXIT-003 (backup selection by tag, DLM target tags, the VM a disk is backed up
with) and HAVEN-001 (an OVH region the registry does not list): each is unresolved, naming what is not known,
while the same code with the value known is still decided."""
from __future__ import annotations

import pytest

TAGGED_SELECTION = '''
resource "aws_backup_selection" "s" {
  name         = "by-tag"
  plan_id      = "p"
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "daily"
  }
}
'''

TABLE = '''variable "tags" {
  type = map(string)
}

resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
  tags     = TAGS
}
'''


def _outcomes(result):
    return ([(f.path, f.line, f.policy_id) for f in result.findings],
            [(u.path, u.line, u.policy_id) for u in result.unresolved])


def test_tags_from_a_variable_may_carry_the_tag_a_backup_selection_picks(write, run_scan):
    """`tags = var.tags` said "no aws_backup_selection selects it", though the selection picks by a tag the
    variable may hold."""
    root = write({"main.tf": TABLE.replace("TAGS", "var.tags") + TAGGED_SELECTION})
    result = run_scan(root, only=("EXIT-003",))
    assert _outcomes(result) == ([], [("main.tf", 5, "EXIT-003")])
    assert "var.tags (its tags, by which aws_backup_selection.s selects)" in result.unresolved[0].message


def test_known_tags_without_the_selected_tag_still_fail(write, run_scan):
    root = write({"main.tf": TABLE.replace("TAGS", '{ team = "data" }') + TAGGED_SELECTION})
    assert _outcomes(run_scan(root, only=("EXIT-003",))) == ([("main.tf", 5, "EXIT-003")], [])


CONDITIONED_SELECTION = '''
resource "aws_backup_selection" "s" {
  name         = "by-condition"
  plan_id      = "p"
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  condition {
    CONDITIONS
  }
}
'''


@pytest.mark.parametrize("conditions, tags, expected", [
    # string_like: `*` matches any characters, case-sensitive, as AWS Backup matches
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod*"\n    }', '{ env = "production" }', "pass"),
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "*rod*"\n    }', '{ env = "production" }', "pass"),
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod*"\n    }', '{ env = "Production" }', "fail"),
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod*"\n    }', '{ team = "data" }', "fail"),
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod*"\n    }', "var.tags", "open"),
    # every condition must hold (AWS: AND), not any one of them
    ('string_equals {\n      key = "aws:ResourceTag/backup"\n      value = "yes"\n    }\n'
     '    string_equals {\n      key = "aws:ResourceTag/owner"\n      value = "data"\n    }',
     '{ backup = "yes", owner = "web" }', "fail"),
    ('string_equals {\n      key = "aws:ResourceTag/backup"\n      value = "yes"\n    }\n'
     '    string_not_like {\n      key = "aws:ResourceTag/env"\n      value = "dev*"\n    }',
     '{ backup = "yes", env = "prod" }', "pass"),
    ('string_equals {\n      key = "aws:ResourceTag/backup"\n      value = "yes"\n    }\n'
     '    string_not_like {\n      key = "aws:ResourceTag/env"\n      value = "dev*"\n    }',
     '{ backup = "yes", env = "dev-1" }', "fail"),
    # AWS documents `*` alone: a `?` that would match one character as IAM's does, and not as itself, is undecided
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod?"\n    }', '{ env = "prod1" }', "open"),
    ('string_like {\n      key = "aws:ResourceTag/env"\n      value = "prod?"\n    }', '{ env = "staging" }', "fail"),
    # a negation of a tag the table lacks: AWS does not say whether it holds
    ('string_not_equals {\n      key = "aws:ResourceTag/backup"\n      value = "skip"\n    }', '{ team = "data" }', "open"),
])
def test_backup_selection_conditions_are_judged_as_aws_backup_judges_them(write, run_scan, conditions, tags, expected):
    """`condition { string_like { ... } }` was ignored (no selection: a finding), and two string_equals
    conditions selected a table that met either one."""
    text = TABLE.replace("TAGS", tags) + CONDITIONED_SELECTION.replace("CONDITIONS", conditions)
    findings, unresolved = _outcomes(run_scan(write({"main.tf": text}), only=("EXIT-003",)))
    outcome = "fail" if findings else "open" if unresolved else "pass"
    assert outcome == expected


VOLUME = '''variable "default_tags" {
  type = map(string)
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = DEFAULT_TAGS
  }
}

resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = true
}

resource "aws_dlm_lifecycle_policy" "p" {
  description        = "daily"
  execution_role_arn = "arn:aws:iam::123456789012:role/dlm"
  policy_details {
    resource_types = ["VOLUME"]
    target_tags = {
      Snapshot = "daily"
    }
  }
}
'''


def test_default_tags_from_a_variable_may_carry_the_dlm_target_tags(write, run_scan):
    """The provider's default_tags from a variable may tag the volume with what the DLM policy targets."""
    root = write({"main.tf": VOLUME.replace("DEFAULT_TAGS", "var.default_tags")})
    result = run_scan(root, only=("EXIT-003",))
    assert _outcomes(result) == ([], [("main.tf", 12, "EXIT-003")])
    assert "var.default_tags (its tags, by which aws_dlm_lifecycle_policy.p targets volumes)" in \
        result.unresolved[0].message


def test_known_default_tags_without_the_target_tags_still_fail(write, run_scan):
    root = write({"main.tf": VOLUME.replace("DEFAULT_TAGS", '{ team = "data" }')})
    assert _outcomes(run_scan(root, only=("EXIT-003",))) == ([("main.tf", 12, "EXIT-003")], [])


DISK = '''variable "vm_id" {
  type = string
}

resource "azurerm_linux_virtual_machine" "vm" {
  name                = "vm"
  resource_group_name = "rg"
  location            = "westeurope"
  size                = "Standard_B2s"
}

resource "azurerm_managed_disk" "data" {
  name                 = "data"
  resource_group_name  = "rg"
  location             = "westeurope"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 10
}

resource "azurerm_virtual_machine_data_disk_attachment" "a" {
  managed_disk_id    = azurerm_managed_disk.data.id
  virtual_machine_id = azurerm_linux_virtual_machine.vm.id
  lun                = 0
  caching            = "ReadWrite"
}

resource "azurerm_linux_virtual_machine" "other" {
  name                = "other"
  resource_group_name = "rg"
  location            = "westeurope"
  size                = "Standard_B2s"
}

resource "azurerm_backup_protected_vm" "p" {
  resource_group_name = "rg"
  recovery_vault_name = "vault"
  source_vm_id        = SOURCE
  backup_policy_id    = "pol"
}
'''


def test_a_protected_vm_whose_source_is_not_known_may_back_up_the_disk(write, run_scan):
    """An azurerm_backup_protected_vm whose source_vm_id is a variable may protect the disk's VM."""
    root = write({"main.tf": DISK.replace("SOURCE", "var.vm_id")})
    result = run_scan(root, only=("EXIT-003",))
    assert _outcomes(result) == ([], [("main.tf", 12, "EXIT-003")])
    assert ("var.vm_id (azurerm_backup_protected_vm.p.source_vm_id, which may be azurerm_linux_virtual_machine.vm)"
            in result.unresolved[0].message)


def test_a_protected_vm_that_is_another_vm_still_fails(write, run_scan):
    root = write({"main.tf": DISK.replace("SOURCE", "azurerm_linux_virtual_machine.other.id")})
    assert _outcomes(run_scan(root, only=("EXIT-003",))) == ([("main.tf", 12, "EXIT-003")], [])


VM_ID = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"


def test_a_disk_attached_to_a_vm_outside_the_scan_is_unresolved(write, run_scan):
    """A literal virtual_machine_id names a VM the scan does not hold: "refers to no virtual machine in the code"
    was a finding, though what backs that VM up is managed where the VM is."""
    outside = DISK.replace("azurerm_linux_virtual_machine.vm.id", f'"{VM_ID}"')
    result = run_scan(write({"main.tf": outside.replace("SOURCE", "azurerm_linux_virtual_machine.other.id")}),
                      only=("EXIT-003",))
    assert _outcomes(result) == ([], [("main.tf", 12, "EXIT-003")])
    assert f"whether the virtual machine {VM_ID} is backed up (it is not in the scan" in result.unresolved[0].message
    # a protected VM of the root with that id (ARM ids compare without case) backs it up
    protected = outside.replace("SOURCE", f'"{VM_ID.upper()}"')
    assert _outcomes(run_scan(write({"main.tf": protected}), only=("EXIT-003",))) == ([], [])


OVH = '''resource "ovh_cloud_project_kube" "k" {
  service_name = "abc"
  name         = "k"
  region       = "REGION"
}
'''


def test_an_ovh_region_the_registry_does_not_list_leaves_the_zones_unresolved(write, run_scan):
    """HAVEN-001 said "region EU-CENTRAL-NEW1 has a single availability zone" of a region the registry does not
    know: how many zones it has is not known."""
    root = write({"main.tf": OVH.replace("REGION", "EU-CENTRAL-NEW1")})
    result = run_scan(root, only=("HAVEN-001",))
    assert _outcomes(result) == ([], [("main.tf", 4, "HAVEN-001")])
    assert "availability zones of OVH region EU-CENTRAL-NEW1" in result.unresolved[0].message


def test_a_single_zone_ovh_region_the_registry_lists_still_fails(write, run_scan):
    root = write({"main.tf": OVH.replace("REGION", "GRA7")})
    assert _outcomes(run_scan(root, only=("HAVEN-001",))) == ([("main.tf", 4, "HAVEN-001")], [])


EKS = '''variable "encrypted_resource" {
  type = string
}

resource "aws_kms_key" "k" {
  description = "eks"
}

resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
  encryption_config {
    resources = RESOURCES
    provider {
      key_arn = aws_kms_key.k.arn
    }
  }
}
'''


def test_a_list_entry_not_known_statically_may_be_the_one_contains_looks_for(write, run_scan):
    """`resources = [var.x]`: CMK-005 said "encryption_config.resources = [Unknown(var.x)]" does not contain
    secrets, though the variable may be "secrets"."""
    root = write({"main.tf": EKS.replace("RESOURCES", "[var.encrypted_resource]")})
    result = run_scan(root, only=("CMK-005",))
    assert _outcomes(result) == ([], [("main.tf", 16, "CMK-005")])
    assert "var.encrypted_resource is not known statically" in result.unresolved[0].message


def test_a_known_list_without_the_entry_still_fails_contains(write, run_scan):
    root = write({"main.tf": EKS.replace("RESOURCES", '["configmaps"]')})
    assert _outcomes(run_scan(root, only=("CMK-005",))) == ([("main.tf", 16, "CMK-005")], [])


SELECTED = '''variable "table_arn" {
  type = string
}

resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
}

resource "aws_dynamodb_table" "other" {
  name     = "other"
  hash_key = "id"
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_backup_selection" "s" {
  name         = "by-arn"
  plan_id      = "p"
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  resources    = [ENTRY]
}
'''


def test_a_linking_list_entry_not_known_statically_may_refer_to_the_resource(write, run_scan):
    """`resources = [var.table_arn]` said "no aws_backup_selection refers to it"; `resources = var.arns` was
    already unresolved."""
    root = write({"main.tf": SELECTED.replace("ENTRY", "var.table_arn")})
    result = run_scan(root, only=("EXIT-003",))
    assert _outcomes(result) == ([], [("main.tf", 5, "EXIT-003")])
    assert "var.table_arn (an entry of aws_backup_selection.s.resources, which may refer to it)" in \
        result.unresolved[0].message


def test_a_linking_list_of_other_resources_still_fails(write, run_scan):
    root = write({"main.tf": SELECTED.replace("ENTRY", "aws_dynamodb_table.other.arn")})
    assert _outcomes(run_scan(root, only=("EXIT-003",))) == ([("main.tf", 5, "EXIT-003")], [])


BUCKET = '''variable "bucket" {
  type = string
}

resource "aws_s3_bucket" "b" {
  bucket = "data"
}

resource "aws_s3_bucket_versioning" "v" {
  bucket = var.bucket
  versioning_configuration {
    status = "STATUS"
  }
}
'''


@pytest.mark.parametrize("status, expected", [("Enabled", ([], [("main.tf", 5, "EXIT-003")])),
                                              ("Suspended", ([("main.tf", 5, "EXIT-003")], []))])
def test_a_link_not_known_statically_counts_only_when_its_where_may_hold(write, run_scan, status, expected):
    """A versioning resource whose bucket is a variable may be this bucket's, but a suspended one would not keep
    versions even if it were: `linked` left the check unresolved without asking its `where`."""
    root = write({"main.tf": BUCKET.replace("STATUS", status)})
    assert _outcomes(run_scan(root, only=("EXIT-003",))) == expected


# --- resources, selection_tag and condition together, as AWS Backup combines them ----------------------------
# AWS documents `Resources` AND `Conditions`, and `Resources` OR `ListOfTags` (selection_tag); how a selection_tag
# and a condition combine it does not say.
SELECTION = '''
resource "aws_backup_selection" "s" {
  name         = "combined"
  plan_id      = "p"
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
PARTS}
'''
BY_REFERENCE = '  resources    = [aws_dynamodb_table.t.arn]\n'
BY_WILDCARD = '  resources    = ["arn:aws:dynamodb:*:*:table/*"]\n'
BY_OTHER_WILDCARD = '  resources    = ["arn:aws:s3:::*"]\n'
CONDITION = '  condition {\n    string_equals {\n      key   = "aws:ResourceTag/backup"\n      value = "daily"\n    }\n  }\n'
LIST_OF_TAGS = '  selection_tag {\n    type  = "STRINGEQUALS"\n    key   = "backup"\n    value = "daily"\n  }\n'
NOT_RESOURCES = '  not_resources = [aws_dynamodb_table.t.arn]\n'


@pytest.mark.parametrize("parts, tags, expected", [
    # resources AND condition: named (by reference or wildcard), the condition must hold too
    (BY_REFERENCE + CONDITION, '{ backup = "weekly" }', "fail"),
    (BY_WILDCARD + CONDITION, '{ backup = "weekly" }', "fail"),
    (BY_REFERENCE + CONDITION, '{ backup = "daily" }', "pass"),
    (BY_WILDCARD + CONDITION, '{ backup = "daily" }', "pass"),
    (BY_REFERENCE + CONDITION, "var.tags", "open"),
    (BY_OTHER_WILDCARD + CONDITION, '{ backup = "daily" }', "fail"),     # the condition alone does not select it
    # resources OR selection_tag: either one selects it
    (BY_REFERENCE + LIST_OF_TAGS, '{ backup = "weekly" }', "pass"),
    (BY_OTHER_WILDCARD + LIST_OF_TAGS, '{ backup = "daily" }', "pass"),
    (BY_OTHER_WILDCARD + LIST_OF_TAGS, '{ backup = "weekly" }', "fail"),
    # selection_tag with condition: AWS does not say, unless every part agrees
    (LIST_OF_TAGS + CONDITION, '{ backup = "weekly" }', "fail"),
    (LIST_OF_TAGS + CONDITION, '{ backup = "daily" }', "pass"),
    (BY_REFERENCE + LIST_OF_TAGS + CONDITION, '{ backup = "weekly" }', "open"),
    (LIST_OF_TAGS + CONDITION.replace("string_equals", "string_not_equals"), '{ backup = "weekly" }', "open"),
    # not_resources leaves out what it names, whatever selects it
    ('  resources    = ["*"]\n' + NOT_RESOURCES, '{ backup = "daily" }', "fail"),
    (LIST_OF_TAGS + NOT_RESOURCES, '{ backup = "daily" }', "fail"),
    ('  resources    = ["*"]\n  not_resources = ["arn:aws:s3:::*"]\n', '{ backup = "daily" }', "pass"),
    # no resources, selection_tag or condition: AWS Backup selects every resource of the types the account opted in
    ("", '{ backup = "daily" }', "open"),
    (NOT_RESOURCES, '{ backup = "daily" }', "fail"),
])
def test_a_backup_selection_combines_resources_tags_and_conditions_as_aws_documents(write, run_scan, parts, tags,
                                                                                   expected):
    """A table named in `resources` counted as selected whatever the selection's condition said of it."""
    text = TABLE.replace("TAGS", tags) + SELECTION.replace("PARTS", parts)
    findings, unresolved = _outcomes(run_scan(write({"main.tf": text}), only=("EXIT-003",)))
    outcome = "fail" if findings else "open" if unresolved else "pass"
    assert outcome == expected
    assert findings + unresolved == ([] if expected == "pass" else [("main.tf", 5, "EXIT-003")])


def test_an_undocumented_combination_is_unresolved_naming_it(write, run_scan):
    text = TABLE.replace("TAGS", '{ backup = "weekly" }') + SELECTION.replace("PARTS", BY_REFERENCE + LIST_OF_TAGS + CONDITION)
    result = run_scan(write({"main.tf": text}), only=("EXIT-003",))
    assert [(u.path, u.line, u.policy_id) for u in result.unresolved] == [("main.tf", 5, "EXIT-003")]
    assert "how aws_backup_selection.s combines selection_tag with condition" in result.unresolved[0].message


ARN_SELECTION = '''provider "aws" { region = "eu-west-1" }
resource "aws_db_instance" "db" {
  identifier = "orders"
  engine     = "postgres"
}
resource "aws_backup_selection" "s" {
  name         = "by-arn"
  plan_id      = "p"
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  resources    = [ENTRY]
}
'''


@pytest.mark.parametrize("entry, expected", [
    ('"arn:aws:rds:*:*:db:*"', "pass"),
    ('"arn:aws:rds:*"', "pass"),                                  # every resource of the service
    ('"arn:aws:rds:eu-west-1:*:db:*"', "pass"),                   # the region its provider gives it
    ('"arn:aws:rds:*:*:db:ord*"', "pass"),
    ('"arn:aws:rds:*:*:cluster:*"', "fail"),                      # clusters, not instances
    ('"arn:aws:ec2:*:*:instance/*"', "fail"),
    ('"arn:aws:rds:eu-central-1:*:db:*"', "fail"),                # another region
    ('"arn:aws:rds:*:*:db:billing"', "fail"),                     # another database
    ('"arn:aws:rds:eu-west-1:123456789012:db:orders"', "open"),   # its ARN if the account is that one
])
@pytest.mark.parametrize("identifier", ["orders", "Orders"])    # RDS keeps identifiers in lowercase
def test_an_arn_in_resources_selects_what_its_service_type_region_and_name_allow(write, run_scan, entry, expected,
                                                                                identifier):
    """An ARN wildcard selected every resource whose service it named: EC2 instances counted for EBS volumes
    and RDS clusters for database instances; an ARN written out was never its resource's."""
    text = ARN_SELECTION.replace("ENTRY", entry).replace('"orders"', f'"{identifier}"')
    findings, unresolved = _outcomes(run_scan(write({"main.tf": text}), only=("EXIT-003",)))
    assert ("fail" if findings else "open" if unresolved else "pass") == expected
    assert findings + unresolved == ([] if expected == "pass" else [("main.tf", 2, "EXIT-003")])


def test_an_ec2_instance_wildcard_does_not_select_a_volume(write, run_scan):
    volume = ('provider "aws" { region = "eu-west-1" }\nresource "aws_ebs_volume" "v" {\n'
              '  availability_zone = "eu-west-1a"\n  size              = 10\n}\n')
    text = volume + ARN_SELECTION.split("\n", 5)[5].replace("ENTRY", '"arn:aws:ec2:*:*:instance/*"')
    assert _outcomes(run_scan(write({"main.tf": text}), only=("EXIT-003",))) == ([("main.tf", 2, "EXIT-003")], [])
    text = volume + ARN_SELECTION.split("\n", 5)[5].replace("ENTRY", '"arn:aws:ec2:*:*:volume/*"')
    assert _outcomes(run_scan(write({"main.tf": text}), only=("EXIT-003",))) == ([], [])
