"""Secrets are masked everywhere: `mask` itself, and every report format of a scan full of secrets.

The secrets are generated at test time, so the repository holds no credential-shaped literal for these
tests, and no output can pass by accident because a value happens to be a known example.
"""
from __future__ import annotations

import base64
import random
import string

import pytest

from scanner.evaluate.masking import MASK, mask
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
