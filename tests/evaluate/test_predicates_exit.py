"""Exit predicates: portability classes, backups, off-provider copies, the exit plan, lock files,
vendor markers and image registries."""
from __future__ import annotations

import dataclasses
import datetime
from types import SimpleNamespace

import pytest

from scanner.config import Config
from scanner.evaluate.predicates.exit import _months_before, exit_plan_tested
from scanner.evaluate.predicates.images import image_registry
from scanner.model import repository
from scanner.model.resource import Resource


def _repository(values: dict) -> Resource:
    return Resource("file", "repository", ".", "README.md", 1, values, {})


def _context(today: datetime.date, **config) -> SimpleNamespace:
    return SimpleNamespace(today=today, config=SimpleNamespace(**config))


TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize("tested, state", [
    ("2025-11-23", True),     # exactly twelve months: still within
    ("2025-11-22", False),    # one day more
    ("2026-12-01", False),    # in the future
])
def test_exit_plan_age(tested, state):
    plan = _repository({"repository_top": True, "exit_plan": {"path": "EXIT.md", "last_test": tested}})
    assert exit_plan_tested(plan, {}, _context(TODAY), None).state is state


def test_missing_plan_is_only_reported_at_a_repository_top_and_unresolved_below_it():
    assert exit_plan_tested(_repository({"repository_top": True, "exit_plan": None}), {}, _context(TODAY), None).state is False
    below = exit_plan_tested(_repository({"repository_top": False, "exit_plan": None}), {}, _context(TODAY), None)
    assert below.state is None and "not a repository's top level" in below.blocker


def test_configured_plan_and_test_date_count_like_an_exit_document():
    plan = _repository({"repository_top": True, "exit_plan": None})
    configured = _context(TODAY, exit_plan="https://wiki.example.eu/exit", exit_last_test=datetime.date(2026, 6, 1))
    assert exit_plan_tested(plan, {}, configured, None).state is True
    undated = _context(TODAY, exit_plan="https://wiki.example.eu/exit")
    assert "no test date" in exit_plan_tested(plan, {}, undated, None).detail
    shorter = _context(TODAY, exit_plan="x", exit_last_test=datetime.date(2026, 6, 1), exit_max_age_months=3)
    assert exit_plan_tested(plan, {}, shorter, None).state is False


def test_months_before_clamps_to_the_end_of_the_month():
    assert _months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert _months_before(datetime.date(2026, 11, 23), 12) == datetime.date(2025, 11, 23)


@pytest.mark.parametrize("text, date, line", [
    ("# Exit\n\nLast tested: 2026-05-14\n", "2026-05-14", 3),
    ("Laatst getest op 2025-01-02\n", "2025-01-02", 1),
    ("last_test = 2026-02-30\n", None, 1),          # not a date
    ("# Exit plan\n", None, 0),
])
def test_last_test_date_in_the_exit_document(text, date, line):
    found, number = repository.last_test(text)
    assert (found.isoformat() if found else None, number) == (date, line)


def test_the_exit_plan_of_a_deploying_repository_is_read_from_exit_md(write, run_scan):
    root = write({"EXIT.md": "# Exit\nLast tested: 2026-09-01\n", "README.md": "# x\n",
                  "infra/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'})
    result = run_scan(root, only=("EXIT-005",))
    assert result.findings == [] and result.passes == 1


def test_a_repository_that_deploys_nothing_needs_no_exit_plan(write, run_scan):
    """Resources without a provider or backend configuration are a module: the deployment is elsewhere."""
    root = write({"README.md": "# x\n", "infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    result = run_scan(root, only=("EXIT-005",))
    assert result.findings == [] and result.checks == 0


def test_subdirectory_scan_without_plan_is_not_judged(write, run_scan):
    root = write({"main.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    assert run_scan(root, only=("EXIT-005",)).findings == []


@pytest.mark.parametrize("image, host, name", [
    ("nginx", "docker.io", "nginx"),
    ("nginx:1.27", "docker.io", "nginx"),
    ("bitnami/redis:7.2@sha256:abc", "docker.io", "bitnami/redis"),
    ("index.docker.io/library/nginx", "docker.io", "library/nginx"),
    ("ghcr.io/org/app:1", "ghcr.io", "org/app"),
    ("localhost:5000/x:1", "localhost:5000", "x"),
    ("k8s.gcr.io/pause:3.9", "registry.k8s.io", "pause"),
])
def test_image_registry_of_a_reference(image, host, name):
    assert image_registry(image) == (host, name)


def _pod(image: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: a}}\nspec:\n  containers:\n  - name: a\n    image: {image}\n"


def test_configured_allow_list_replaces_the_default(write, run_scan):
    root = write({"a.yaml": _pod("ghcr.io/org/app:1"), "b.yaml": _pod("registry.example.eu/team/app:1")})
    assert len(run_scan(root, only=("EXIT-010",)).findings) == 1
    allowed = dataclasses.replace(Config(), image_registries=("ghcr.io/org",))
    assert [f.path.rsplit("/", 1)[-1] for f in run_scan(root, only=("EXIT-010",), config=allowed).findings] == ["b.yaml"]


def test_backups_are_only_required_in_production(write, run_scan):
    root = write({"main.tf": 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'})
    assert len(run_scan(root, only=("EXIT-003",)).findings) == 1
    assert run_scan(root, only=("EXIT-003",), config=Config(environment="nonprod")).findings == []


def test_a_message_that_already_says_the_evidence_does_not_say_it_again(write, run_scan):
    """EXIT-003's volume message says what the predicate's evidence says: it was appended again after a colon."""
    root = write({"main.tf": 'resource "aws_ebs_volume" "data" {\n  availability_zone = "eu-west-1a"\n  size = 10\n}\n'})
    [finding] = run_scan(root, only=("EXIT-003",)).findings
    assert finding.message == "aws_ebs_volume.data has no backup of its production data: no aws_backup_selection " \
                              "selects it and no enabled aws_dlm_lifecycle_policy snapshots it"


_SELECT_ALL = 'resource "aws_backup_selection" "all" {\n  name = "all"\n  resources = ["*"]\n}\n'
_DATABASE = 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'


def test_a_backup_selection_in_its_own_root_module_decides(write, run_scan):
    root = write({"prod/main.tf": _DATABASE + _SELECT_ALL})
    result = run_scan(root, only=("EXIT-003",))
    assert result.findings == [] and result.unresolved == []


def test_a_backup_selection_of_another_root_module_is_unresolved_not_a_pass(write, run_scan):
    """A selection picks by wildcard or tag in the account and region its own root deploys to; whether dev/
    deploys where prod/ does, the code does not say."""
    root = write({"a/prod/main.tf": _DATABASE, "a/dev/main.tf": _SELECT_ALL}) / "a"
    result = run_scan(root, only=("EXIT-003",))
    assert result.findings == []
    assert [(u.path, u.line) for u in result.unresolved] == [("prod/main.tf", 1)]
    assert "aws_backup_selection.all in root module dev selects it" in result.unresolved[0].message
    unselected = write({"b/prod/main.tf": _DATABASE, "b/dev/main.tf": _SELECT_ALL.replace('"*"', '"arn:aws:s3:::*"')}) / "b"
    assert [f.path for f in run_scan(unselected, only=("EXIT-003",)).findings] == ["prod/main.tf"]


def test_backup_retention_from_a_variable_is_unresolved(write, run_scan):
    root = write({"main.tf": 'variable "days" {}\nresource "aws_db_instance" "db" {\n  backup_retention_period = var.days\n}\n'})
    result = run_scan(root, only=("EXIT-003",))
    assert result.findings == [] and len(result.unresolved) == 1


def test_engine_from_a_variable_is_unresolved(write, run_scan):
    root = write({"main.tf": 'variable "engine" {}\nresource "aws_db_instance" "db" {\n  engine = var.engine\n}\n'})
    result = run_scan(root, only=("EXIT-002",))
    assert result.findings == [] and "var.engine" in result.unresolved[0].message


def test_inventory_counts_classified_services_only(write, run_scan):
    root = write({"README.md": "# x\n", "main.tf": (
        'provider "aws" {}\n'
        'resource "aws_lambda_function" "f" {}\nresource "aws_dynamodb_table" "t" {}\n'
        'resource "aws_s3_bucket" "b" {}\nresource "aws_sqs_queue" "q" {}\nresource "aws_vpc" "v" {}\n'
        'resource "random_id" "r" {}\n')})
    findings = run_scan(root, only=("EXIT-001",)).findings
    assert len(findings) == 1
    assert "2 of 4 managed-service resources (50%) are proprietary" in findings[0].message
    assert "aws_dynamodb_table x1, aws_lambda_function x1" in findings[0].message


def test_declared_backup_target_or_high_sovereignty(write, run_scan):
    root = write({"main.tf": 'resource "aws_s3_bucket" "b" {\n  tags = { criticality = "high" }\n}\n'
                             'resource "aws_s3_bucket" "plain" {}\n'})
    assert len(run_scan(root, only=("EXIT-004",)).findings) == 1
    declared = dataclasses.replace(Config(), backup_target="s3://exit-copy.s3.nl-ams.scw.cloud")
    assert run_scan(root, only=("EXIT-004",), config=declared).findings == []
    strict = Config(sovereignty_requirement="high")
    assert len(run_scan(root, only=("EXIT-004",), config=strict).findings) == 2


VELERO_AT = ("apiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata:\n  name: copy\n  namespace: velero\n"
             "spec:\n  provider: aws\n  objectStorage:\n    bucket: copy\n  config:\n    s3Url: {url}\n")


@pytest.mark.parametrize("url, copied_elsewhere", [
    ("https://s3.eusc-de-east-1.amazonaws.eu", False),   # the AWS European Sovereign Cloud is AWS too
    ("https://s3.nl-ams.scw.cloud", True),
])
def test_a_velero_location_counts_as_a_copy_outside_aws_only_at_another_provider(write, run_scan, url, copied_elsewhere):
    root = write({"main.tf": 'resource "aws_s3_bucket" "b" {\n  tags = { criticality = "high" }\n}\n',
                  "velero.yaml": VELERO_AT.format(url=url)})
    assert (run_scan(root, only=("EXIT-004",)).findings == []) is copied_elsewhere


def test_workload_identity_annotations_are_not_lock_in_markers(write, run_scan):
    root = write({"sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
                             "    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/a\n"
                             "    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000\n"})
    assert run_scan(root, only=("EXIT-007",)).findings == []


def test_lock_file_only_for_deployed_root_modules(write, run_scan):
    versions = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n'
    root = write({
        "module/versions.tf": versions,                                               # reusable: no provider
        "live/main.tf": versions + 'provider "aws" {\n  region = "eu-west-1"\n}\n',    # deployed
        "examples/basic/main.tf": versions + 'provider "aws" {}\n',                     # demonstration
    })
    findings = run_scan(root, only=("EXIT-008",)).findings
    assert [f.path.rsplit("/", 2)[-2] for f in findings] == ["live"]
    write({"live/.terraform.lock.hcl": "# lock\n"}, root)
    result = run_scan(root, only=("EXIT-008",))
    assert result.findings == []
    # only the deployed root was asked for a lock file: the others neither pass nor fail, so the exit
    # readiness report counts 1 of 1 lock files, not 3 of 3 where two do not exist
    (lock_files,) = [targets for what, targets in result.exit_readiness.pinning if what == "lock-files"]
    assert [(t.path, t.state) for t in lock_files] == [("live/main.tf", "pass")]


@pytest.mark.parametrize("gitignore, said", [
    ("# state\n*.tfstate\n.terraform/\n.terraform.lock.hcl\n", "no .terraform.lock.hcl in live; .gitignore:4 ignores it"),
    ("**/.terraform*\n", "no .terraform.lock.hcl in live; .gitignore:1 ignores it"),
    ("*.lock.hcl\n!.terraform.lock.hcl\n", "no .terraform.lock.hcl in live"),        # taken back
    (".terraform/\n**/.terraform/*\n", "no .terraform.lock.hcl in live"),           # the directory, not the file
])
def test_a_missing_lock_file_names_the_gitignore_line_that_ignores_it(write, run_scan, gitignore, said):
    versions = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n'
    root = write({".gitignore": gitignore, "live/main.tf": versions + 'provider "aws" {\n  region = "eu-west-1"\n}\n'})
    (root / ".git").mkdir()
    assert [f.message for f in run_scan(root, only=("EXIT-008",)).findings] == [
        f"terraform.required_providers.aws: the root module has no dependency lock file ({said})"]


DLM = '''resource "aws_dlm_lifecycle_policy" "daily" {
  execution_role_arn = "arn"
  policy_details {
    resource_types = %s
    target_tags    = { Snapshot = "daily" }
  }
}
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-central-1a"
  tags              = %s
}
variable "tags" {}
'''


@pytest.mark.parametrize("kinds, tags, verdict", [
    ('["VOLUME"]', '{ Snapshot = "daily" }', "pass"),
    ('["INSTANCE"]', '{ Snapshot = "daily" }', "fail"),          # snapshots instances, not this volume
    ('["VOLUME"]', '{ Snapshot = "weekly" }', "fail"),
    ('["VOLUME"]', 'var.tags', "open"),                          # the volume's tags are not known
])
def test_a_dlm_policy_snapshots_the_volumes_that_carry_its_target_tags(write, run_scan, kinds, tags, verdict):
    result = run_scan(write({"main.tf": DLM % (kinds, tags)}), only=("EXIT-003",))
    states = [("fail", f.line) for f in result.findings] + [("open", u.line) for u in result.unresolved]
    assert states == ([] if verdict == "pass" else [(verdict, 8)])


def test_a_dlm_policy_elsewhere_or_disabled_is_no_proof_of_snapshots(write, run_scan, tmp_path):
    volume = ('resource "aws_ebs_volume" "data" {\n  availability_zone = "eu-central-1a"\n'
              '  tags              = { Snapshot = "daily" }\n}\nprovider "aws" {\n  region = "eu-central-1"\n}\n')
    policy = DLM.split('resource "aws_ebs_volume"')[0] % '["VOLUME"]'
    other_root = run_scan(write({"app/main.tf": volume, "backup/main.tf": policy + 'provider "aws" {}\n'},
                                tmp_path / "two"), only=("EXIT-003",))
    assert other_root.findings == [] and "in root module backup snapshots it if" in other_root.unresolved[0].message
    disabled = policy.replace('  execution_role_arn = "arn"\n', '  execution_role_arn = "arn"\n  state              = "DISABLED"\n')
    off = run_scan(write({"main.tf": volume + disabled}, tmp_path / "off"), only=("EXIT-003",))
    assert [f.line for f in off.findings] == [1] and "no enabled aws_dlm_lifecycle_policy" in off.findings[0].message
    unknown_state = policy.replace('  execution_role_arn = "arn"\n', '  execution_role_arn = "arn"\n  state              = var.state\n')
    maybe = run_scan(write({"main.tf": volume + unknown_state + 'variable "state" {}\n'}, tmp_path / "maybe"),
                     only=("EXIT-003",))
    assert maybe.findings == [] and len(maybe.unresolved) == 1


@pytest.mark.parametrize("files, unconstrained", [
    ({"live/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\nmodule "m" {\n  source = "../m"\n}\n',
      "m/versions.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.40" }\n'
                       '  }\n}\n'}, True),           # a module's entry is its consumers' floor: the root chooses
    ({"live/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'}, True),
    ({"live/main.tf": 'provider "aws" {\n  region  = "eu-west-1"\n  version = ">= 2.0"\n}\n'}, False),   # judged below
])
def test_providers_nothing_in_the_roots_module_tree_constrains(write, run_scan, files, unconstrained):
    findings = run_scan(write(files), only=("EXIT-008",)).findings
    assert any("its own required_providers does not constrain" in f.message for f in findings) is unconstrained


def test_a_provider_blocks_legacy_version_argument_is_judged_like_a_required_providers_entry(write, run_scan):
    root = write({"live/main.tf": 'provider "aws" {\n  region  = "eu-west-1"\n  version = ">= 2.0"\n}\n',
                  "live/.terraform.lock.hcl": "# lock\n"})
    findings = run_scan(root, only=("EXIT-008",)).findings
    assert [(f.line, f.message) for f in findings] == [
        (3, "provider.aws is not pinned to a version: version = '>= 2.0' has no upper bound: a new release is "
            "picked up unreviewed")]
