"""Secrets are masked everywhere: `mask` itself, and every report format of a scan full of secrets.

The secrets are generated at test time, so the repository holds no credential-shaped literal for these
tests, and no output can pass by accident because a value happens to be a known example.
"""
from __future__ import annotations

import base64
import random
import string

import pytest

from scanner import cli
from scanner.masking import MASK, mask
from scanner.report import FORMATTERS, Report


@pytest.mark.parametrize("value, shown", [
    ("AKIAZ3MPLE0123456789", "AKIA"),          # 20 characters: the first 4
    ("Welkom01!", "We"),                        # 9 characters: a quarter, rounded down
    ("abc", ""),                                # too short to show anything
    ("", ""),
])
def test_mask_shows_at_most_four_characters_and_a_fixed_mask(value, shown):
    assert mask(value) == shown + MASK


def test_mask_does_not_reveal_the_length():
    assert len(mask("x" * 40)) == len(mask("y" * 400))


def _secrets(seed: int) -> dict[str, str]:
    rnd = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    return {
        "aws": "AKIA" + "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "github": "ghp_" + "".join(rnd.choice(alnum) for _ in range(36)),
        "pem": base64.b64encode(bytes(rnd.getrandbits(8) for _ in range(300))).decode(),
        "app_setting": "Zq" + "".join(rnd.choice(alnum) for _ in range(22)),
        "tfvars": "Tv" + "".join(rnd.choice(alnum) for _ in range(22)),
        "env": "Ev" + "".join(rnd.choice(alnum) for _ in range(22)),
        "ci": "Ci" + "".join(rnd.choice(alnum) for _ in range(22)),
        "default": "Df" + "".join(rnd.choice(alnum) for _ in range(22)),
    }


def _repository(write, s: dict[str, str]):
    pem = "\n".join(s["pem"][i:i + 64] for i in range(0, len(s["pem"]), 64))
    return write({
        "README.md": "# service\n",
        "deploy.env": f"AWS_ACCESS_KEY_ID={s['aws']}\nGITHUB_TOKEN={s['github']}\n",
        "keys/deploy.pem": f"-----BEGIN PRIVATE KEY-----\n{pem}\n-----END PRIVATE KEY-----\n",
        "main.tf": 'resource "azurerm_linux_web_app" "app" {\n'
                   f'  app_settings = {{ DB_PASSWORD = "{s["app_setting"]}" }}\n}}\n'
                   f'variable "api_token" {{\n  default = "{s["default"]}"\n}}\n',
        "terraform.tfvars": f'db_password = "{s["tfvars"]}"\n',
        "k8s/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n"
                        f"  - name: app\n    image: app:1\n    env:\n    - name: API_TOKEN\n      value: {s['env']}\n",
        ".github/workflows/ci.yml": f"on: push\nenv:\n  DEPLOY_TOKEN: {s['ci']}\njobs: {{}}\n",
    })


def test_no_report_format_contains_a_secret(write, run_scan):
    secrets = _secrets(5)
    result = run_scan(_repository(write, secrets), only=("secrets",))
    found = {f.policy_id for f in result.findings}
    assert {"SEC-001", "SEC-002", "SEC-004", "SEC-011", "SEC-013"} <= found, "each kind of secret must be found"
    report = Report(result, 7, show_unresolved=True)
    for name, render in FORMATTERS.items():
        output = render(report)
        for kind, secret in secrets.items():
            assert secret not in output, f"{name} output shows the {kind} secret"
            assert secret[8:20] not in output, f"{name} output shows part of the {kind} secret"


def _random(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    generator = random.Random(length)
    return "".join(generator.choice(alphabet) for _ in range(length))


def test_redact_masks_url_credentials_query_secrets_and_detected_tokens():
    from scanner.masking import redact
    token = "glpat-" + _random(20)
    assert redact(f"git::https://gitlab-ci-token:{token}@gitlab.example.com/n.git?ref=v1") == \
        "git::https://gitlab-ci-token:glpa****@gitlab.example.com/n.git?ref=v1"
    assert redact("git::ssh://git@github.com/org/net.git") == "git::ssh://git@github.com/org/net.git"
    assert redact("https://x-access-token@github.com/org/net.git") == "https://x-access-token@github.com/org/net.git"
    hexadecimal = "0123456789abcdef0123456789abcdef"            # a token as the user name, no known prefix
    assert redact(f"git::https://{hexadecimal}@github.com/acme/net.git?ref=v1.2.0") == \
        f"git::https://{mask(hexadecimal)}@github.com/acme/net.git?ref=v1.2.0"
    assert redact(f"https://{'ghp_' + _random(36)}@github.com/x") == "https://ghp_****@github.com/x"
    assert redact("https://a.example/c?sv=2020&sig=" + _random(40)) == "https://a.example/c?sv=2020&sig=" + mask(_random(40))
    assert redact(f"token {token} here") == "token glpa**** here"
    assert redact("eastus (US, tier third-country)") == "eastus (US, tier third-country)"


def test_a_terraform_cloud_token_echoed_by_a_residency_message_is_masked(write, run_scan):
    """A value read from a variables file reaches a message of a policy that is not about secrets."""
    token = _random(14) + ".atlasv1." + _random(64, string.ascii_letters + string.digits + "-_")
    root = write({"main.tf": 'variable "region" {}\nresource "azurerm_resource_group" "rg" {\n  location = var.region\n}\n',
                  "terraform.tfvars": f'region = "{token}"\n'})
    result = run_scan(root, only=("RES-013",))
    (finding,) = result.findings
    assert token not in finding.message + finding.evidence and token[:14] not in finding.message


@pytest.mark.parametrize("sensitive", [True, False])
def test_a_value_a_sensitive_variable_gave_is_masked_wherever_it_is_shown(write, tmp_path, capsys, sensitive):
    """Terraform hides a value that came through a variable marked sensitive; so does every report."""
    value = "Zq8vLx3mTnR5wK2p"
    declaration = 'variable "region" {\n  type      = string\n' + ("  sensitive = true\n" if sensitive else "") + "}\n"
    root = write({"main.tf": declaration + 'resource "azurerm_resource_group" "rg" {\n  location = var.region\n}\n',
                  "terraform.tfvars": f'region = "{value}"\n'})
    outputs = [f"{name}={tmp_path / name}" for name in ("json", "sarif", "html", "markdown", "junit", "gitlab-sast")]
    cli.main(["scan", str(root), "--only", "RES-013", "--fail-on", "never", "-f", "text",
              *(a for o in outputs for a in ("-f", o))])
    shown = capsys.readouterr().out + "".join((tmp_path / o.split("=")[0]).read_text() for o in outputs)
    assert (value in shown) is not sensitive
    assert "(set in " in shown and "terraform.tfvars:1)" in shown    # the declaration is not where it was set


@pytest.mark.parametrize("files, hidden", [
    # through a dynamic block's iterator
    ({"main.tf": 'variable "geo" {\n  sensitive = true\n  default   = ["westeurope", "westus"]\n}\n'
                 'resource "azurerm_cosmosdb_account" "db" {\n  location = "westeurope"\n'
                 '  dynamic "geo_location" {\n    for_each = var.geo\n    content {\n'
                 '      location          = geo_location.value\n      failover_priority = geo_location.key\n    }\n  }\n}\n'},
     "westus"),
    # an AWS resource's region is its provider's
    ({"main.tf": 'variable "region" {\n  type      = string\n  sensitive = true\n}\nprovider "aws" {\n'
                 '  region = var.region\n}\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n',
      "terraform.tfvars": 'region = "me-central-1"\n'}, "me-central-1"),
    # geo-redundant storage: the paired region would give the region away
    ({"main.tf": 'variable "loc" {\n  type      = string\n  sensitive = true\n}\n'
                 'resource "azurerm_storage_account" "s" {\n  location                 = var.loc\n'
                 '  account_replication_type = "GRS"\n}\n', "terraform.tfvars": 'loc = "eastus"\n'}, "westus"),
])
def test_a_sensitive_value_is_masked_however_it_reaches_a_report(write, tmp_path, capsys, files, hidden):
    root = write(files)
    cli.main(["scan", str(root), "--fail-on", "never", "-f", "text", "-f", f"json={tmp_path / 'r.json'}",
              "-f", f"html={tmp_path / 'r.html'}"])
    shown = capsys.readouterr().out + (tmp_path / "r.json").read_text() + (tmp_path / "r.html").read_text()
    assert hidden not in shown.replace(mask(hidden), "") and mask(hidden) in shown    # reported, and masked


def test_a_sensitive_default_on_one_line_of_json_keeps_its_place(write, run_scan):
    """In one-line JSON the declaration and its default share a line: the default still decides where the
    finding is reported (the module call), and the value is still masked."""
    root = write({"mod/variables.tf.json": '{"variable":{"loc":{"type":"string","sensitive":true,"default":"eastus"}}}',
                  "mod/main.tf": 'resource "azurerm_resource_group" "rg" {\n  location = var.loc\n}\n',
                  "main.tf": 'module "a" {\n  source = "./mod"\n}\n'})
    (finding,) = run_scan(root, only=("RES-001",)).findings
    assert (finding.path, finding.line) == ("main.tf", 1) and "eastus" not in finding.message


@pytest.mark.parametrize("sensitive", [True, False])
def test_a_list_item_a_sensitive_variable_gave_is_named_by_its_place_not_its_value(write, tmp_path, capsys, sensitive):
    """A region from a sensitive list keeps its index in the attribute path and the fingerprint; from a plain list
    it is named by its value."""
    declaration = 'variable "regions" {\n' + ("  sensitive = true\n" if sensitive else "") + \
        '  default = ["europe-west4", "us-east1"]\n}\n'
    root = write({"main.tf": declaration + 'resource "google_pubsub_topic" "t" {\n  name = "t"\n'
                             '  message_storage_policy {\n    allowed_persistence_regions = var.regions\n  }\n}\n'})
    cli.main(["scan", str(root), "--only", "RES-001", "--fail-on", "never", "-f", "text",
              "-f", f"json={tmp_path / 'r.json'}", "-f", f"sarif={tmp_path / 'r.sarif'}"])
    shown = capsys.readouterr().out + (tmp_path / "r.json").read_text() + (tmp_path / "r.sarif").read_text()
    attribute = "message_storage_policy.allowed_persistence_regions" + ("[1]" if sensitive else "[=us-east1]")
    assert f'"attribute": "{attribute}"' in shown
    assert ("us-east1" in shown.replace(mask("us-east1"), "")) is not sensitive
