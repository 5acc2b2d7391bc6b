"""The sources and controls registries, and the citations users see instead of internal line numbers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scanner import cli
from scanner.errors import PolicyError
from scanner.evaluate import citations
from scanner.evaluate import policies as policy_module
from scanner.pack import builtin_policy_dir

REGISTRY = citations.builtin()
SEEDS = next((p / "shared" / "seeds" for p in Path(__file__).resolve().parents if (p / "shared" / "seeds").is_dir()),
             Path("/nonexistent"))   # beside the checkout (or a parent of it) when the seeds are available


@pytest.mark.parametrize("refs, lang, expected", [
    (["003:415"], "en", ["Verkenning Soevereine Cloud (Gartner / BZK, 2026-04-30), "
                         "§4.2. Beoordelingscriteria die extra prioriteit krijgen"]),
    (["003:415", "003:410", "003:250"], "en", [
        "Verkenning Soevereine Cloud (Gartner / BZK, 2026-04-30), §4.2. Beoordelingscriteria die extra prioriteit "
        "krijgen; §2. Risico's, 7. Beheer van cryptografische sleutels en toegangspaden"]),
    (["002:390-395"], "en", ["Overheid saai? (publisher not named, undated), "
                             "§Wij werken met privacy gevoelige gegevens (bbn2): wij versleutelen alles met CMK"]),
    (["002:390-395"], "nl", ["Overheid saai? (uitgever niet genoemd, ongedateerd), "
                             "§Wij werken met privacy gevoelige gegevens (bbn2): wij versleutelen alles met CMK"]),
    (["004:576"], "en", ["Nieuwe overheidsservice (NeRDS / BZK, undated), "
                         "§Stap 6: Uitrol & Productiegang (hidden on the published page)"]),
    (["000:56", "000:116"], "en", ["Fases en gewenste uitkomsten 5. Hanteer een cloud-gedreven strategie "
                                   "(NeRDS / BZK, undated), §2. Ontwerpfase (Alpha); §4. Productie"]),
    (["003:922-935"], "en", ["Verkenning Soevereine Cloud (Gartner / BZK, 2026-04-30), "
                             "§6.8. Generieke randvoorwaarden en afhankelijkheden; §7. Conclusies en vervolgstappen; "
                             "§7.1. Conclusies"]),
])
def test_seed_references_become_document_citations(refs, lang, expected):
    assert citations.document_citations(refs, lang) == expected


@pytest.mark.parametrize("ref, lang, expected", [
    ("SOV-3.1", "en", "EU Cloud Sovereignty Framework v1.2.1 SOV-3 Data & AI Sovereignty, criterion 1 (NDS priority): "
                      "Only the customer, not the provider, has effective control over cryptographic access to its data."),
    ("SOV-3.1", "nl", "EU Cloud Sovereignty Framework v1.2.1 SOV-3 Data & AI soevereiniteit, criterium 1 (NDS-prioriteit): "
                      "Ervoor zorgen dat alleen de klant, en niet de aanbieder, effectieve controle heeft over de "
                      "cryptografische toegang tot zijn gegevens."),
    ("SOV-1.6", "en", "EU Cloud Sovereignty Framework v1.2.1 SOV-1 Strategic Sovereignty, criterion 6: The ability to "
                      "keep operating securely against requests to stop or suspend the service, or when the supplier "
                      "withdraws or disrupts support."),
    ("SOV-6", "en", "EU Cloud Sovereignty Framework v1.2.1 SOV-6 Technology Sovereignty"),
])
def test_objective_citations(ref, lang, expected):
    assert citations.objective_citation(ref, lang) == expected


@pytest.mark.parametrize("control, lang, expected", [
    ("8.24", "en", "ISO/IEC 27002:2022 (BIO2) 8.24 Use of cryptography"),
    ("8.24", "nl", "ISO/IEC 27002:2022 (BIO2) 8.24 Gebruik van cryptografie"),
    ("5.23", "en", "ISO/IEC 27002:2022 (BIO2) 5.23 Information security for use of cloud services"),
    ("8.12", "nl", "ISO/IEC 27002:2022 (BIO2) 8.12 Voorkomen van gegevenslekken (data leakage prevention)"),
    ("6.5", "nl", "ISO/IEC 27002:2022 (BIO2) 6.5 Verantwoordelijkheden na beëindiging of wijziging van het dienstverband"),
])
def test_control_citations(control, lang, expected):
    assert citations.control_citation(control, lang) == expected


@pytest.mark.parametrize("reference, expected", [
    ("CIS Kubernetes 5.2.2", "CIS Kubernetes Benchmark (CIS, v1.10) 5.2.2"),
    ("Haven HCC multiaz", "Haven Compliancy Checker (VNG, v12.8.0) multiaz"),
    ("Haven Compliancy Checker (live)", "Haven Compliancy Checker (VNG, v12.8.0) (live)"),
    ("EU Data Act Art. 25", "Regulation (EU) 2023/2854, Data Act (EU, 2023-12-13) Art. 25"),
    ("FIPS 140-3", "FIPS 140-3 Security Requirements for Cryptographic Modules (NIST, 2019-03-22)"),
    ("NSA/CISA Kubernetes Hardening 1.7", "Kubernetes Hardening Guidance (NSA/CISA, v1.2, 2022-08) Trivy k8s-nsa-1.0 control 1.7"),
    ("NSA/CISA Kubernetes Hardening Guidance", "Kubernetes Hardening Guidance (NSA/CISA, v1.2, 2022-08)"),
    ("Org handbook 4.2", "Org handbook 4.2"),   # a user policy may cite what the registry does not know
])
def test_standard_citations(reference, expected):
    assert citations.standard_citation(reference) == expected


def test_the_control_registry_holds_every_iso_27002_2022_control():
    themes = {"5": 37, "6": 8, "7": 14, "8": 34}
    for theme, count in themes.items():
        assert sorted(int(c.split(".")[1]) for c in REGISTRY.controls if c.startswith(theme + ".")) == \
            list(range(1, count + 1))
    assert [len(o.criteria) for o in REGISTRY.objectives.values()] == [6, 5, 4, 6, 5, 4, 5, 3]
    assert [n for o in REGISTRY.objectives.values() for n, c in o.criteria.items() if c.priority] == \
        [1, 2, 1, 3, 1, 2, 3, 4, 5, 6, 3]


@pytest.mark.parametrize("references, expected", [
    ({"seeds": ["009:1"]}, [(["seeds", 0], "no source document 009 in sources.yaml")]),
    ({"seeds": ["003:1012"]}, [(["seeds", 0], "lines 1012-1012 are outside document 003 (1-1011)")]),
    ({"seeds": ["003:20-10"]}, [(["seeds", 0], "lines 20-10 are outside document 003 (1-1011)")]),
    ({"iso27002": ["8.24", "8.99"]}, [(["iso27002", 1], "'8.99' is not an ISO/IEC 27002:2022 control in controls.yaml")]),
    ({"sov": ["SOV-9"]}, [(["sov", 0], "SOV-9 is not a SOV objective in controls.yaml")]),
    ({"sov": ["SOV-3.1", "SOV-3.5"]}, [(["sov", 1], "SOV-3 has no criterion 5 in controls.yaml")]),
    ({"seeds": ["003:415"], "iso27002": ["8.24"], "sov": ["SOV-3"]}, []),
])
def test_unknown_references_are_named(references, expected):
    assert citations.problems(references, REGISTRY) == expected


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside this checkout")
def test_sections_match_the_documents():
    for document in REGISTRY.documents.values():
        path = SEEDS / yaml.safe_load((builtin_policy_dir() / "registries" / "sources.yaml").read_text())[
            "documents"][document.number]["file"]
        text = path.read_text(encoding="utf-8")
        assert document.lines == text.count("\n") + (not text.endswith("\n")), document.number
    # numbered headings of the report start their section: the line ranges follow the text
    report = (SEEDS / "003_2e5da95f0bda075e.txt").read_text(encoding="utf-8").split("\n")
    for section in REGISTRY.documents["003"].sections:
        if section.heading[0].isdigit():
            assert report[section.first - 1].strip() == section.heading, section


POLICY = """\
id: ORG-010
title: Buckets are tagged
family: custom
severity: low
rationale: Every bucket needs an owner tag for the audit trail.
remediation:
  aws: Add tags = { owner = "team" }.
message: "{address} has no owner tag"
nl:
  title: Buckets hebben een tag
  rationale: Elke bucket heeft een owner-tag nodig voor de audit trail.
  remediation:
    aws: Voeg tags = { owner = "team" } toe.
  message: "{address} heeft geen owner-tag"
references:
  iso27002: ["5.9"]
input: terraform
checks:
  - match: {terraform: [aws_s3_bucket]}
    assert: {path: tags.owner, op: exists}
  - match: {terraform: [aws_s3_bucket]}
    assert: {path: tags.team, op: exists}
    message: "{address}: tag {path} is missing"
"""
CHECK_MESSAGES = '  check_messages: [null, "{address}: tag {path} ontbreekt"]\n'


def _with(policy: str, old: str, new: str) -> str:
    assert old in policy
    return policy.replace(old, new)


@pytest.mark.parametrize("text, expected", [
    (_with(POLICY, '  iso27002: ["5.9"]', '  iso27002: ["5.9", "8.99"]'),
     "ORG-010.yaml:16: references.iso27002[1]: '8.99' is not an ISO/IEC 27002:2022 control in controls.yaml"),
    (_with(POLICY, '  iso27002: ["5.9"]', '  sov: ["SOV-4.7"]'),
     "ORG-010.yaml:16: references.sov[0]: SOV-4 has no criterion 7 in controls.yaml"),
    (_with(POLICY, '  iso27002: ["5.9"]', '  seeds: ["005:10"]'),
     "ORG-010.yaml:16: references.seeds[0]: no source document 005 in sources.yaml"),
    (_with(POLICY, "    aws: Voeg", "    azurerm: Voeg"),
     "ORG-010.yaml:12: nl.remediation: gives ['azurerm'], the English gives ['aws']"),
    (_with(POLICY, '  message: "{address} heeft geen owner-tag"', '  message: "{adres} heeft geen owner-tag"'),
     "ORG-010.yaml:14: nl.message: uses placeholders ['adres'], the English uses ['address']"),
    (_with(POLICY, '  message: "{address} heeft geen owner-tag"\n', ""),
     "ORG-010.yaml:9: nl: a message is needed in both languages or in neither"),
    (POLICY,
     "ORG-010.yaml:9: nl: needs one entry per check, null where the check has no message: 2 checks, messages on [1]"),
    (_with(POLICY, '  message: "{address} heeft geen owner-tag"\n',
           '  message: "{address} heeft geen owner-tag"\n' + CHECK_MESSAGES.replace("{path}", "{pad}")),
     "ORG-010.yaml:15: nl.check_messages[1]: uses placeholders ['address', 'pad'], the English uses ['address', 'path']"),
    (_with(POLICY, '  message: "{address} heeft geen owner-tag"\n',
           '  message: "{address} heeft geen owner-tag"\n  check_messages: ["{address}", null]\n'),
     "ORG-010.yaml:15: nl.check_messages: needs one entry per check, null where the check has no message: "
     "2 checks, messages on [1]"),
    (_with(_with(POLICY, '    message: "{address}: tag {path} is missing"\n',
                 '    message: "{address}: tag {path} is missing"\n    remediation: Add a team tag.\n'),
           '  message: "{address} heeft geen owner-tag"\n', '  message: "{address} heeft geen owner-tag"\n' + CHECK_MESSAGES),
     "ORG-010.yaml:9: nl: needs one entry per check, null where the check has no remediation of its own: "
     "2 checks, remediations on [1]"),
])
def test_broken_policies_name_the_file_line_and_field(tmp_path, text, expected):
    path = tmp_path / "custom" / "ORG-010.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        policy_module.load_file(path)
    assert str(raised.value) == f"{path.parent}/{expected}"


def test_a_translated_policy_loads_with_both_texts(tmp_path):
    path = tmp_path / "custom" / "ORG-010.yaml"
    path.parent.mkdir()
    path.write_text(_with(POLICY, '  message: "{address} heeft geen owner-tag"\n',
                          '  message: "{address} heeft geen owner-tag"\n' + CHECK_MESSAGES), encoding="utf-8")
    policy = policy_module.load_file(path)
    assert policy.text("nl") == policy_module.PolicyText(
        title="Buckets hebben een tag", rationale="Elke bucket heeft een owner-tag nodig voor de audit trail.",
        remediation={"aws": 'Voeg tags = { owner = "team" } toe.'}, message="{address} heeft geen owner-tag",
        check_messages=(None, "{address}: tag {path} ontbreekt"), check_remediations=(None, None))
    assert policy.text("en").check_messages == (None, "{address}: tag {path} is missing")
    assert policy.text("fr") == policy.text("en") and policy.title == "Buckets are tagged"


def test_a_checks_own_fix_is_translated_with_it(tmp_path):
    path = tmp_path / "custom" / "ORG-010.yaml"
    path.parent.mkdir()
    text = _with(POLICY, '    message: "{address}: tag {path} is missing"\n',
                 '    message: "{address}: tag {path} is missing"\n    remediation: Add a team tag.\n')
    path.write_text(_with(text, '  message: "{address} heeft geen owner-tag"\n', '  message: "{address} heeft geen '
                          'owner-tag"\n' + CHECK_MESSAGES + '  check_remediations: [null, Voeg een team-tag toe.]\n'),
                    encoding="utf-8")
    policy = policy_module.load_file(path)
    assert policy.text("en").check_remediations == (None, "Add a team tag.")
    assert policy.text("nl").check_remediations == (None, "Voeg een team-tag toe.")


def _broken_registry(tmp_path: Path, name: str, old: str, new: str) -> Path:
    shutil.copytree(builtin_policy_dir() / "registries", tmp_path / "registries")
    path = tmp_path / "registries" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("name, old, new, expected", [
    ("sources.yaml", '    title: "Verkenning Soevereine Cloud"\n', "",
     "documents.003: 'title' is a required property"),
    ("sources.yaml", '{lines: "14-41", heading: "1. Verkenningsfase"}', '{lines: "15-41", heading: "1. Verkenningsfase"}',
     "documents.000.sections.2.lines: '15-41' does not continue the previous section (expected to start at line 14)"),
    ("sources.yaml", "    lines: 1011\n", "    lines: 1012\n",
     "documents.003.sections: the sections end at line 1011, the document at line 1012"),
    ("sources.yaml", '    date: "2026-04-30"', '    date: "30 april 2026"',
     "documents.003.date: '30 april 2026' does not match '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'"),
    ("controls.yaml", '    "8.24": {theme: technological,', '    "8.24": {theme: technology,',
     "iso27002.controls.8.24.theme: 'technology' is not one of ['organisational', 'people', 'physical', 'technological']"),
    ("controls.yaml", "as_of: \"2026-12-02\"\n", "",
     "(top level): 'as_of' is a required property"),
])
def test_a_broken_registry_names_the_file_and_field(tmp_path, name, old, new, expected):
    path = _broken_registry(tmp_path, name, old, new)
    with pytest.raises(PolicyError) as raised:
        citations.load(tmp_path)
    assert str(raised.value) == f"{path}: {expected}"


def test_a_broken_registry_is_exit_2(tmp_path, monkeypatch, capsys):
    path = _broken_registry(tmp_path, "controls.yaml", "  controls:\n", "  kontrols:\n")
    monkeypatch.setattr(citations, "builtin_policy_dir", lambda: tmp_path)
    citations.builtin.cache_clear()
    try:
        code = cli.main(["policies", "show", "CMK-001"])
    finally:
        citations.builtin.cache_clear()
    err = capsys.readouterr().err
    assert code == 2 and f"{path}: iso27002: Additional properties are not allowed ('kontrols' was unexpected)" in err
