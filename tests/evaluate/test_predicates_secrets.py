"""Secrets predicates: names, values, detectors, outputs, backends, tokens and CI definitions."""
from __future__ import annotations

import base64
import json
import random
import string

import pytest

from scanner.config import Config
from scanner.evaluate.predicates.secrets import detect, is_secret_name, secret_value

RND = random.Random(11)
ALNUM = string.ascii_letters + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(RND.choice(alphabet) for _ in range(length))


@pytest.mark.parametrize("name", ["client_secret", "DB_PASSWORD", "dbAdminPassword", "access_key", "AWS_SECRET_ACCESS_KEY",
                                  "api_key", "APIKEY", "sas_token", "storage_account_key", "primary_connection_string",
                                  "kube_config_raw", "private_key", "github_token", "certificate_password"])
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["key_vault_id", "kms_key_id", "secret_name", "password_length", "ssh_public_key",
                                  "AWS_ACCESS_KEY_ID", "key", "ssh_keys", "key_vault_secret_ids", "token_ttl",
                                  "kubeconfig-certificate-authority-data", "db_password_secret_arn", "bypass", "DB_USER"])
def test_names_that_only_mention_a_secret(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("value", ["Welkom01!", "changeme", "s3cr3t-value"])
def test_literal_secret_values(value):
    assert secret_value(value)


@pytest.mark.parametrize("value", ["", "  ", "${{ secrets.TOKEN }}", "${var.x}", "$(DB_PASS)", "$CI_JOB_TOKEN",
                                   "{{ .Values.password }}", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)",
                                   "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]", "arn:aws:secretsmanager:eu-west-1:1:secret:x",
                                   "true", "3600", "/run/secrets/db", "https://vault.example.eu", "<your-password>", "xxxxxxxx", 42])
def test_references_and_placeholders_are_not_secrets(value):
    assert not secret_value(value)


def _jwt(header: dict) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    return ".".join([part(json.dumps(header).encode()), part(b'{"sub":"svc","iat":1763856000}'), part(RND.randbytes(32))])


def test_detectors_find_each_format_on_its_line():
    key = base64.b64encode(RND.randbytes(64)).decode()
    pem = base64.b64encode(RND.randbytes(400)).decode()
    text = "\n".join([
        "# config",
        "aws = " + "AKIA" + _random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
        "gh = ghp_" + _random(ALNUM, 36),
        "export AWS_SECRET_ACCESS_KEY=" + _random(ALNUM + "/+", 40),
        "gl = glpat-" + _random(ALNUM, 20),
        f"conn = DefaultEndpointsProtocol=https;AccountName=a;AccountKey={key};EndpointSuffix=core.windows.net",
        "jwt = " + _jwt({"alg": "RS256", "typ": "JWT"}),
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        pem,
        "-----END OPENSSH PRIVATE KEY-----",
    ])
    found = {(line, detector.id) for line, detector, _ in detect(text)}
    assert found == {(2, "aws-access-key"), (3, "github-token"), (4, "aws-secret-access-key"), (5, "gitlab-token"),
                     (6, "azure-storage-key"), (7, "jwt"), (8, "private-key")}


@pytest.mark.parametrize("text", [
    "AKIAIOSFODNN7EXAMPLE",                                       # AWS documentation key
    "ghp_" + "x" * 36,                                            # placeholder
    "ghp_" + "ab" * 18,                                           # too regular to be a token
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE" + "." * 80 + "\n-----END RSA PRIVATE KEY-----",
    "https://a.blob.core.windows.net/c/f?sig=" + "Q" * 20 + "x" * 24,   # no sv= context, low entropy
    "eyJub3RhIjoiand0In0.eyJzdWIiOiJ4eHh4eHh4In0.c2lnbmF0dXJlc2lnbg",   # header without alg
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",   # AWS documentation key
    "AWS_SECRET_ACCESS_KEY=" + "x" * 40,                                   # placeholder
    "secret_access_key: " + "Zm9vYmFy" * 6,                               # 48 characters: no AWS secret key
    "checksum = " + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7n",            # 40 characters, named otherwise
])
def test_detectors_skip_examples_placeholders_and_weak_matches(text):
    assert detect(text) == []


@pytest.mark.parametrize("template", [
    "AWS_SECRET_ACCESS_KEY={}", "export AWS_SECRET_ACCESS_KEY='{}'", 'aws_secret_access_key: "{}"',
    "aws_secret_access_key = {}", '{{"SecretAccessKey": "{}"}}', '{{\\"SecretAccessKey\\": \\"{}\\"}}',
    "<SecretAccessKey>{}</SecretAccessKey>", "aws configure set aws_secret_access_key {}", "AWS_SECRET_KEY={}",
    "aws_secret_key: {}", "secretAccessKey => '{}'",
])
def test_an_aws_secret_access_key_is_found_where_it_is_named(template):
    secret = _random(ALNUM + "/+", 40)
    assert [(h.detector.id, h.secret) for h in detect(template.format(secret))] == [("aws-secret-access-key", secret)]


@pytest.mark.parametrize("text", [
    "the secret_access_key setting is explained in " + "aB3dE5gH7jK9mN1pQ3sT",   # prose, no 40-character value
    "aws_secret_access_key = " + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7n" + "x",    # 41 characters: no AWS key
    "aws_secret_access_key = ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
])
def test_an_aws_secret_access_key_is_not_guessed(text):
    assert [h for h in detect(text) if h.detector.id == "aws-secret-access-key"] == []


def test_sas_needs_its_version_on_the_same_line():
    sig = base64.b64encode(RND.randbytes(32)).decode().replace("+", "%2B").replace("/", "%2F")
    assert detect(f"url: https://a.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig={sig}")
    assert detect(f"url: https://a.blob.core.windows.net/c/f?sp=r&sig={sig}") == []


def test_a_detector_finding_points_at_the_line_of_its_match(write, run_scan, tmp_path):
    token = "ghp_" + _random(ALNUM, 36)
    findings = run_scan(write({"a.env": f"# tokens\n\nT={token}\n"}, tmp_path), only=("SEC-002",)).findings
    assert [(f.path, f.line, f.chain) for f in findings] == [("a.env", 3, (("a.env", 3, "attribute"),))]


def test_detector_finding_keeps_its_identity_when_lines_move(write, run_scan, tmp_path):
    token = "ghp_" + _random(ALNUM, 36)
    one = run_scan(write({"a.env": f"T={token}\n"}, tmp_path / "one"), only=("SEC-002",))
    two = run_scan(write({"a.env": f"\n\n# moved\nT={token}\n"}, tmp_path / "two"), only=("SEC-002",))
    assert [f.line for f in one.findings] == [1] and [f.line for f in two.findings] == [4]
    assert [f.fingerprint for f in one.findings] == [f.fingerprint for f in two.findings]
    assert token not in one.findings[0].message and "ghp_****" in one.findings[0].message


def test_module_variable_is_reported_once_for_all_its_instances(write, run_scan):
    root = write({
        "main.tf": 'module "a" {\n  source = "./m"\n}\nmodule "b" {\n  source = "./m"\n}\n',
        "m/variables.tf": 'variable "admin_password" {\n  type = string\n}\n',
    })
    result = run_scan(root, only=("SEC-004",))
    assert [(f.path.rsplit("/", 2)[-2:], f.line) for f in result.findings] == [(["m", "variables.tf"], 1)]


def test_boolean_and_number_variables_are_never_secrets(write, run_scan):
    root = write({"main.tf": 'variable "enable_secrets" {\n  type = bool\n  default = true\n}\n'
                             'variable "token_count" {\n  default = 3\n}\n'})
    assert run_scan(root, only=("SEC-004",)).findings == []


def test_partial_backend_configuration_is_unresolved_not_a_violation(write, run_scan):
    root = write({"main.tf": 'terraform {\n  backend "azurerm" {}\n}\n'})
    result = run_scan(root, only=("SEC-006",))
    assert result.findings == [] and len(result.unresolved) == 1
    assert "terraform init" in result.unresolved[0].message


def test_a_backend_that_sets_only_some_options_is_still_partial(write, run_scan):
    """bucket and key come from `terraform init -backend-config`, and with them perhaps kms_key_id."""
    root = write({"main.tf": 'terraform {\n  backend "s3" {\n    encrypt = true\n  }\n}\n'})
    result = run_scan(root, only=("SEC-006",))
    assert result.findings == [] and [f.policy_id for f in result.unresolved] == ["SEC-006"]
    assert "partial: bucket, key given at terraform init" in result.unresolved[0].message


def test_local_backend_is_only_a_finding_in_production(write, run_scan):
    root = write({"main.tf": 'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n'})
    assert len(run_scan(root, only=("SEC-006",)).findings) == 1
    assert run_scan(root, only=("SEC-006",), config=Config(environment="nonprod")).findings == []


def test_output_of_an_unknown_variable_is_judged_by_name(write, run_scan):
    root = write({"main.tf": 'variable "x" {}\noutput "db_password" {\n  value = var.x\n}\n'
                             'output "endpoint" {\n  value = var.x\n}\n'})
    result = run_scan(root, only=("SEC-005",))
    assert [f.address for f in result.findings] == ["output.db_password"]


def test_service_account_outside_the_scan_is_unresolved(write, run_scan):
    root = write({"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  serviceAccountName: ops\n"
                              "  containers:\n  - name: a\n    image: a:1\n"})
    result = run_scan(root, only=("WL-035",))
    assert result.findings == [] and "ServiceAccount ops" in result.unresolved[0].message


def test_oidc_session_outputs_are_not_long_lived_keys(write, run_scan):
    root = write({".github/workflows/d.yml": (
        "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n        id: c\n"
        "        with: {role-to-assume: 'arn:aws:iam::1:role/d', aws-region: eu-west-1}\n"
        "      - run: ./deploy\n        env:\n          AWS_ACCESS_KEY_ID: ${{ steps.c.outputs.aws-access-key-id }}\n")})
    assert run_scan(root, only=("SEC-014",)).findings == []


def test_ci_literal_below_the_strength_bar_is_a_throwaway_test_password(write, run_scan):
    root = write({".gitlab-ci.yml": "test:\n  variables:\n    POSTGRES_PASSWORD: postgres\n"
                                    "    API_TOKEN: kq9Zr2Lw7xPv4Tn8\n  script: [make]\n"})
    result = run_scan(root, only=("SEC-013",))
    assert [f.attribute for f in result.findings] == ["test.variables.API_TOKEN"]


def _workflow(*steps: str) -> dict[str, str]:
    return {".github/workflows/ci.yml": "on: push\njobs:\n  push:\n    runs-on: ubuntu-latest\n    steps:\n"
                                        + "".join(steps)}


CHECKOUT = "      - uses: actions/checkout@v4\n"
LOGIN = ("      - {}: {}\n        uses: docker/login-action@v3\n"
         "        with: {{username: ci, password: kq9Zr2Lw7xPv4Tn8}}\n")


@pytest.mark.parametrize("field", ["id", "name"])
def test_a_step_keeps_its_fingerprint_when_a_step_is_inserted_above(write, run_scan, tmp_path, field):
    """A step is named by its id, else its name: GitHub code scanning keeps the alert, the baseline its entry."""
    one = run_scan(write(_workflow(LOGIN.format(field, "login")), tmp_path / "one"), only=("SEC-013",))
    two = run_scan(write(_workflow(CHECKOUT, LOGIN.format(field, "login")), tmp_path / "two"), only=("SEC-013",))
    renamed = run_scan(write(_workflow(CHECKOUT, LOGIN.format(field, "registry")), tmp_path / "three"),
                       only=("SEC-013",))
    assert [(f.line, f.attribute) for f in one.findings] == [(8, f"jobs.push.steps[{field}=login].with.password")]
    assert [f.line for f in two.findings] == [9]
    assert [f.fingerprint for f in two.findings] == [f.fingerprint for f in one.findings]
    assert [f.fingerprint for f in renamed.findings] != [f.fingerprint for f in one.findings]


def test_a_step_without_an_id_or_a_name_of_its_own_is_named_by_its_position(write, run_scan):
    root = write(_workflow(LOGIN.format("name", "login"), LOGIN.format("name", "login"),
                           "      - uses: docker/login-action@v3\n        with: {password: kq9Zr2Lw7xPv4Tn8}\n"))
    result = run_scan(root, only=("SEC-013",))
    assert [(f.line, f.attribute) for f in result.findings] == [(8, "jobs.push.steps[0].with.password")]


def test_secret_in_a_repeated_block_points_at_its_own_block(write, run_scan):
    root = write({"main.tf": 'resource "helm_release" "r" {\n  set {\n    name  = "replicaCount"\n    value = "2"\n  }\n'
                             '  set {\n    name  = "auth.password"\n    value = "helm-literal-pw"\n  }\n}\n'})
    result = run_scan(root, only=("SEC-001",))
    assert [(f.line, f.attribute) for f in result.findings] == [(8, "set[name=auth.password].value")]


EXTENSION = '''resource "azurerm_virtual_machine_extension" "e" {{
  name                 = "e"
  virtual_machine_id   = "vm"
  publisher            = "Microsoft.Compute"
  type                 = "CustomScriptExtension"
  type_handler_version = "1.10"
  protected_settings   = {settings}
}}
'''


@pytest.mark.parametrize("settings, found", [
    ('<<JSON\n  {"storageAccountKey": "c3RvcmFnZS1rZXktdmFsdWUtZm9yLXRlc3Rz", "fileUris": []}\nJSON', True),
    ('jsonencode({ nested = { adminPassword = "N3sted-Pw!x" } })', True),
    ('jsonencode({ Password = var.pw })', False),          # from the variable's default: not written here
    ('jsonencode({ Password = local.pw })', False),
    ('jsonencode({ commandToExecute = "echo hi" })', False),
    ('"not json: Password=Welkom01"', False),
    ('jsonencode({ credentials = { host = "sql01.corp.example.nl", account = "svc-sql" } })', False),  # own keys
    ('jsonencode({ User = var.pw, Password = "Jo1nDomainPw!x" })', True),   # a literal beside a reference
    ('jsonencode({ users = [{ name = "svc", password = "L1st-Pw!xyz" }] })', True),
    ('jsonencode({ token = { value = "T0ken-Value!x" } })', True),            # a generic leaf: its object's name
    ('jsonencode({ env = [{ name = "DB_PASSWORD", value = "Nv-Pair!xyz" }] })', True),   # the name beside it
    ('jsonencode({ password = "P\u00e4ssw\u00f6rd\\\\9QzKx7" })', True),       # escapes written in the source
    ('jsonencode({ password = var.pw }) # was "Fr0m-Default!"', False),      # the value only in a comment
    ('jsonencode({ password = { name = "sqladmin", value = "Nm-Bes1de!x" } })', True),  # a plain name beside it
    ('jsonencode({ user = var.unset, password = "Unkn0wn-Bes1de!" })', True),  # beside a value not known at all
    ('jsonencode({\n    /* password = "C0mment-Pw!x" */\n    password = var.pw\n  })', False),
    ('jsonencode({ user = "Fr0m-Default!", password = var.pw })', False),   # the same text under another key
    ('jsonencode({ user = var.unset })\n  provisioner "local-exec" {\n    environment = { password = "Pr0v-Secret!xyz" }\n  }',
     False),                                                                # another block's secret is not this one's
    ('jsonencode({ cmd = "rm -rf /tmp/*", user = local.pw, password = "Bl0ck-Secret!xyz" }) /* a note */', True),
    ('jsonencode({ user = local.pw, "Admin Password" = "Sp4c-Secret!xyz" })', True),
    ('jsonencode({ user = local.pw, passwords = ["L1st-Secret!xyz"] })', True),
])
def test_a_secret_written_into_extension_settings_json(write, run_scan, settings, found):
    root = write({"main.tf": EXTENSION.format(settings=settings)
                  + 'variable "pw" {\n  default = "Fr0m-Default!"\n}\nlocals {\n  pw = "Fr0m-Local!x"\n}\n'
                  + 'variable "unset" {}\n'})
    findings = run_scan(root, only=("SEC-001",)).findings
    assert [(f.path, f.line) for f in findings] == ([("main.tf", 7)] if found else [])
    assert all("****" in f.message and "N3sted-Pw" not in f.message for f in findings)


def test_a_settings_secret_beside_references_is_placed_on_its_own_line_not_elsewhere(write, run_scan):
    settings = 'jsonencode({\n    User     = var.pw\n    Password = "Jo1nDomainPw!x"\n  })\n  tags = { note = "Tq8#mZ2vLx9Rk" }'
    root = write({"main.tf": EXTENSION.format(settings=settings)
                  + 'variable "pw" {\n  default = "x"\n}\n'
                  + EXTENSION.replace('"e"', '"f"').format(settings="jsonencode({ password = var.pw2 })\n  tags = "
                                                                   '{ build = "Tq8#mZ2vLx9Rk" }')
                  + 'variable "pw2" {\n  default = "Tq8#mZ2vLx9Rk"\n}\n'})
    findings = run_scan(root, only=("SEC-001",)).findings
    # the literal's own line, and no "set in" the variable beside it; the other block's value is its variable's
    assert [(f.address, f.line) for f in findings] == [("azurerm_virtual_machine_extension.e", 9)]
    assert "set in" not in findings[0].message


def test_a_secret_in_any_of_a_scale_sets_extension_blocks_is_found(write, run_scan):
    block = ('  extension {{\n    name                 = "{name}"\n    publisher            = "Microsoft.Compute"\n'
             '    type                 = "CustomScript"\n    type_handler_version = "2.1"\n'
             '    protected_settings   = jsonencode({{ user = var.u, password = {password} }})\n  }}\n')
    root = write({"main.tf": 'resource "azurerm_linux_virtual_machine_scale_set" "s" {\n  name = "s"\n'
                             + block.format(name="a", password="var.p") + block.format(name="b", password='"Zq8kLm2pW9vXy4Rt"')
                             + '}\nvariable "u" {\n  default = "svc"\n}\nvariable "p" {}\n'})
    assert [(f.line, f.policy_id) for f in run_scan(root, only=("SEC-001",)).findings] == [(15, "SEC-001")]


def test_a_for_each_element_is_no_literal_written_in_the_block(write, run_scan):
    root = write({"main.tf": EXTENSION.format(settings="jsonencode({ password = each.value.pw })").replace(
        '  name                 = "e"\n', '  for_each             = var.vms\n  name                 = each.key\n')
        + 'variable "vms" {\n  default = { a = { pw = "Fr0m-Default!" } }\n}\n'})
    assert run_scan(root, only=("SEC-001",)).findings == []


def test_a_dynamic_extension_blocks_iterator_is_no_literal_written_there(write, run_scan):
    root = write({"main.tf": 'resource "azurerm_linux_virtual_machine_scale_set" "s" {\n  name = "s"\n'
                             '  dynamic "extension" {\n    for_each = var.exts\n    content {\n'
                             '      name                 = extension.key\n      publisher            = "Microsoft.Compute"\n'
                             '      type                 = "CustomScript"\n      type_handler_version = "2.1"\n'
                             '      protected_settings   = jsonencode({ password = extension.value })\n    }\n  }\n}\n'
                             'variable "exts" {\n  default = { a = "Fr0m-Default!x" }\n}\n'})
    assert run_scan(root, only=("SEC-001",)).findings == []


@pytest.mark.parametrize("settings", [
    'jsonencode({ cmd = "${format("#%s", var.pw)}", password = "Real-Secret!xyz" })',     # a # in a nested string
    'jsonencode({ url = "${replace(var.pw, "/", "//")}", password = "Real-Secret!xyz" })',
    'jsonencode({ cmd = "${var.pw == "" ? "(" : "a"}", user = var.pw, password = "Real-Secret!xyz" })',
    'jsonencode({\n    script = <<-EOT\n      echo hi\n    EOT\n    user     = var.pw\n    password = "Real-Secret!xyz"\n  })',
])
def test_the_settings_expression_is_read_whole_and_no_further(write, run_scan, settings):
    root = write({"main.tf": EXTENSION.format(settings=settings + '\n  tags = { password = "T4gs-Secret!xyz" }')
                  + 'variable "pw" {}\n'})
    findings = run_scan(root, only=("SEC-001",)).findings
    assert [f.message.rsplit(": ", 1)[-1] for f in findings] == ["password = Rea****"]
