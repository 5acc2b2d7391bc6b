from __future__ import annotations

import pytest

from scanner.parse import expressions as x
from scanner.parse.template import (
    MAX_TEMPLATE_SEQUENCES, ForDirective, IfDirective, Interpolation, Template, TemplateSyntaxError, parse_template,
)


@pytest.mark.parametrize("text, parts", [
    ("plain text", ("plain text",)),
    ("", ()),
    ("Hello, ${name}!", ("Hello, ", Interpolation(x.Var("name")), "!")),
    ("${ a.b }", (Interpolation(x.GetAttr(x.Var("a"), "b")),)),
    ("$${not} %%{not}", ("${not} %{not}",)),
    ("a  \n ${~ x ~}  \n b", ("a", Interpolation(x.Var("x")), "b")),
    ('${ "q${y}}" }', (Interpolation(x.Template(("q", x.Var("y"), "}"))),)),
    ("${ {a = 1} }", (Interpolation(x.ObjectX(((x.Lit("a"), x.Lit(1)),))),)),
    ("${ f(\n  1,\n  2) }", (Interpolation(x.Call("f", (x.Lit(1), x.Lit(2)))),)),
    ("%{ if c }y%{ endif }", (IfDirective(x.Var("c"), ("y",), ()),)),
    ("%{ if c }y%{ else }n%{ endif }", (IfDirective(x.Var("c"), ("y",), ("n",)),)),
    ("%{for v in xs~}\n  ${v}\n%{~endfor}", (ForDirective(None, "v", x.Var("xs"), (Interpolation(x.Var("v")),)),)),
    ("%{ for k, v in m }${k}%{ if v }!%{ endif }%{ endfor }",
     (ForDirective("k", "v", x.Var("m"), (Interpolation(x.Var("k")), IfDirective(x.Var("v"), ("!",), ()))),)),
])
def test_templates_parse_into_parts(text: str, parts: tuple) -> None:
    assert parse_template(text) == Template(parts)


@pytest.mark.parametrize("text, single", [("${x}", True), ("${x}\n", False), ("a${x}", False), ("%{ if a }${x}%{ endif }", False)])
def test_a_lone_interpolation_is_recognised(text: str, single: bool) -> None:
    assert parse_template(text).single_interpolation is single


@pytest.mark.parametrize("text, message", [
    ("${", "unterminated template sequence"),
    ("${ a ", "unterminated template sequence"),
    ("${ a) + (b }", "unbalanced"),
    ("${ ] }", "unbalanced"),
    ('${ "open }', "unterminated string"),
    ("${}", "empty template sequence"),
    ("${ 1 + }", "invalid expression"),
    ("${ a = 1 }", "invalid expression"),
    ("%{ if a }", "never closed"),
    ("%{ endif }", "without a matching opening"),
    ("%{ else }", "without a matching"),
    ("%{ if a }%{ else }%{ else }%{ endif }", "without a matching"),
    ("%{ for x in xs }%{ endif }", "without a matching opening"),
    ("%{ while x }", "unknown template directive"),
    ("%{ for in xs }%{ endfor }", "unknown template directive"),
    ("${ <<EOT\nx\nEOT\n }", "heredocs"),
    ("${x}" * (MAX_TEMPLATE_SEQUENCES + 1), "more than"),
])
def test_invalid_templates_raise_without_quoting_the_text(text: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError, match=message) as error:
        parse_template(text)
    assert "EOT" not in str(error.value) and "xs" not in str(error.value)


def test_a_sequence_repeated_across_templates_is_parsed_once() -> None:
    """A template library names the same few values in hundreds of files; each parse costs an HCL parse."""
    first = parse_template('{"scope": "${ root_scope_id }"}').parts[1].expr
    again = parse_template('id = ${ root_scope_id }\n').parts[1].expr
    assert first == x.Var("root_scope_id") and again is first


def test_a_long_sequence_is_not_remembered() -> None:
    """The memory for repeats is bounded by count and by size: a long expression is parsed each time."""
    long = "${ " + " + ".join(f"v{i}" for i in range(60)) + " }"
    assert parse_template(long + "\n").parts[0].expr == parse_template(long + " ").parts[0].expr
    assert parse_template(long + "\n").parts[0].expr is not parse_template(long + " ").parts[0].expr
