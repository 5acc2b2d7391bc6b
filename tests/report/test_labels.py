"""Every word a report adds exists in English and Dutch, and the Dutch rules of the run say as much as the English."""
from __future__ import annotations

import string

import pytest

from scanner.evaluate import messages
from scanner.report import html_words, labels, policy_docs
from scanner.review import RuleSummary

TABLES = {"labels": labels.WORDS, "html": html_words.WORDS, "policy pages": policy_docs.WORDS,
          "engine notes": messages._WORDS, "family titles": labels.FAMILY_TITLES, "nouns": labels._NOUNS}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", TABLES, ids=list(TABLES))
def test_same_keys_and_placeholders_in_both_languages(table):
    words = TABLES[table]
    assert set(words) == set(labels.LANGUAGES)
    assert set(words["en"]) == set(words["nl"])
    for key, english in words["en"].items():
        if isinstance(english, str):
            assert _fields(english) == _fields(words["nl"][key]), key
            assert words["nl"][key].strip(), key


def test_dutch_rules_of_the_run_state_every_fact():
    rules = RuleSummary(".sovscan.yaml", "municipal-azure", ("RES-013", "EXIT-001"), ("WL-010",), 2, 1, 3,
                        ("test/**",), 83)
    english, dutch = labels.rule_statements(rules, "en"), labels.rule_statements(rules, "nl")
    assert len(dutch) == len(english) == 6
    assert dutch == [
        "configuratie: .sovscan.yaml (profiel municipal-azure)",
        "de configuratie zet 2 van de 83 policies die standaard draaien uit: RES-013, EXIT-001",
        "de configuratie zet 1 policy in auditmodus (gemeld, keurt niet af)",
        "de configuratie sluit 'test/**' uit",
        "3 bevindingen uitgezonderd (keurt niet af): 2 door sovscan:ignore-commentaar in de code, "
        "1 door uitzonderingen in de configuratie",
        "3 bevindingen in de baseline (keurt niet af)"]


@pytest.mark.parametrize("n, lang, expected", [(1, "en", "1 finding"), (2, "en", "2 findings"),
                                               (1, "nl", "1 bevinding"), (0, "nl", "0 bevindingen")])
def test_counts(n, lang, expected):
    assert labels.count(n, "finding", lang) == expected


def test_unresolved_checks_count_each_instance_an_entry_stands_for():
    from scanner.evaluate.result import Finding, Result
    folded = Finding("RES-001", "residency", "high", "error", "open", "m", "main.tf", 5, "x[0]", "location", "f",
                     instances=tuple(f"x[{i}]" for i in range(1, 257)))
    alone = Finding("RES-001", "residency", "high", "error", "open", "m", "main.tf", 9, "y", "location", "g")
    assert Result([], [folded, alone], []).unresolved_checks == 258


def test_every_reason_a_waiver_suppresses_nothing_has_its_dutch():
    """The register in a Dutch report says in Dutch why a waiver suppresses nothing."""
    import datetime

    from scanner.config import ConfigWaiver
    from scanner.evaluate import waivers
    from scanner.parse.directives import Directive

    today = datetime.date(2026, 11, 23)
    problems = [
        waivers._expiry_problem(None, today, 365, "until=YYYY-MM-DD"),
        waivers._expiry_problem(datetime.date(2026, 1, 1), today, 365, "expires: YYYY-MM-DD"),
        waivers._expiry_problem(datetime.date(2030, 1, 1), today, 365, "until=YYYY-MM-DD"),
        waivers._inline_problem(Directive("a.tf", 1, ("all",), "r", None, ""), today, 365),
        waivers._inline_problem(Directive("a.tf", 1, ("RES-001",), "", None, ""), today, 365),
        waivers._central_problem(ConfigWaiver("RES-001", "x.y", "", "", "", None), today, 365),
        waivers._inline_problem(Directive("a.tf", 1, ("RES-001",), "r", None, "until=soon is not a date (YYYY-MM-DD)"),
                                today, 365),
    ]
    assert all(problems)
    dutch = [labels.waiver_problem(p, "nl") for p in problems]
    assert all(d != p for d, p in zip(dutch, problems)), [p for d, p in zip(dutch, problems) if d == p]
    assert dutch[1] == "verlopen op 2026-01-01: de bevinding is weer actief"
    assert dutch[6] == "until=soon is geen datum (JJJJ-MM-DD)"
    assert labels.waiver_problem(problems[1], "en") == problems[1]
