"""The reference and placeholder patterns of the secret registry are written to run in time linear in the
value; each must decide exactly as its plain spelling (which retried a long value from every place)."""
from __future__ import annotations

import random
import re

import pytest

from scanner.evaluate.predicates.secrets import is_placeholder, is_reference, rules

PLAIN = {    # the linear spelling in the registry -> the plain spelling it replaces
    r"(?m)^(?:[^$\n]|\$(?!\{\{))*\$\{\{.*\}\}": r"\$\{\{.*\}\}",
    r"\A(?:[^$]|\$(?!\{))*\$\{[^}]*\}": r"\$\{[^}]*\}",
    r"(?m)^(?:[^{\n]|\{(?!\{))*\{\{.*\}\}": r"\{\{.*\}\}",
    r"\A(?:[^<]|<(?=>))*<[^>]+>": r"<[^>]+>",
}
ALPHABET = ["$", "{", "}", "{{", "}}", "${", "${{", "<", ">", "<>", "\n", "a", " ", "x"]


def test_every_linear_spelling_is_in_the_registry():
    patterns = {p.pattern for p in rules().references + rules().placeholders}
    assert set(PLAIN) <= patterns


@pytest.mark.parametrize("seed", range(30))
def test_linear_spellings_decide_as_the_plain_ones(seed):
    generator = random.Random(seed)
    for _ in range(200):
        value = "".join(generator.choice(ALPHABET) for _ in range(generator.randint(0, 30)))
        for linear, plain in PLAIN.items():
            assert bool(re.search(linear, value)) == bool(re.search(plain, value)), (linear, value)


@pytest.mark.parametrize("value,reference,placeholder", [
    ("${{secrets.DB}}", True, False),
    ("${var.x}", True, False),
    ("{{.Values.password}}", True, False),
    ("<your password here>", False, True),
    ("<>x<a>", False, True),
    ("<" * 100_000, False, False),
    ("${{" * 50_000, False, False),
    ("projects/SPANNER_PROJECT/instances/SPANNER_INSTANCE/databases/SPANNER_DATABASE", False, True),
    ("projects/p1/secrets/db-password", True, True),
    ("projects/p1", False, False),            # one segment is no resource name: judged as any value
])
def test_long_or_odd_values(value, reference, placeholder):
    assert (is_reference(value), is_placeholder(value)) == (reference, placeholder)
