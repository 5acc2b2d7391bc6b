"""The words of the HTML report (and the organisation report), in English and Dutch; the same keys in both."""
from __future__ import annotations

_EN = {
    "title": "Sovereignty and security report", "org_title": "Organisation sovereignty and security report",
    "scanned": "Scanned", "revision": "Commit", "date": "Scan date", "tool": "Tool", "profile": "Profile", "configuration": "Configuration",
    "none": "none", "contents": "Contents", "language": "Language",
    "s_verdict": "Verdict", "s_posture": "Sovereignty posture", "s_residency": "Residency",
    "s_families": "Results per family", "s_haven": "Haven pre-flight and live HCC", "s_exit": "Exit readiness",
    "s_waivers": "Waiver register", "s_controls": "Control coverage", "s_findings": "Findings",
    "s_notices": "Inputs not judged in full", "message": "Message",
    "no_notices": "Every input was read, rendered and evaluated in full.",
    "more_notices": "and {n} more (every report format that lists notices has them all: SARIF, JSON, text)",
    # verdict
    "gate": "Gate", "failing": "Findings that fail the gate", "files": "Files", "policies": "Policies",
    "checks": "Checks", "passed": "Passed", "findings": "Findings", "unresolved": "Unresolved", "waived": "Waived",
    "failed": "Failed", "fail_on_table": "Would the gate pass at each --fail-on?", "fail_on": "--fail-on",
    "outcome": "Outcome", "this_run": "this run", "gate_passes": "passes", "gate_fails": "fails",
    "why_fails": "Why: {count} at or above {level}. The rules with the most of them:",
    "why_passes": "Why: no active finding in deny mode is at or above {level}.",
    "why_never": "Why: --fail-on never reports findings without failing the run.",
    "rules_of_run": "The rules of this run", "strict": "--strict: the run also fails because",
    # posture
    "providers": "Providers in use", "outside_eu": "Jurisdiction outside the EU", "seal_target": "SEAL target",
    "meets_target": "Meet the target", "no_target": "none configured", "provider": "Provider",
    "jurisdiction": "Jurisdiction", "control": "Control", "operations": "Operations", "hosting": "Hosting type",
    "seal": "Indicative SEAL", "against_target": "Against the target", "meets": "meets", "below": "below",
    "not_in_registry": "not in the provider registry", "no_providers": "No cloud provider is declared in the code.",
    "requirement": "Sovereignty requirement", "posture_after": "Indicative, after {source}.",
    "boundaries": "What this evidence shows, and what it does not",
    "b_jurisdiction": "Jurisdiction: a pass shows the legal system of the provider's headquarters as the provider "
                      "registry records it (as of {as_of}); it does not show exposure through subsidiaries, "
                      "contracts or extraterritorial law in a particular case.",
    "b_control": "Control and operations: a pass shows whether the registry records EU control and EU operations for "
                 "the provider; it does not show who can access the data in practice, nor the provider's "
                 "sub-processors.",
    "b_seal": "SEAL: the range is indicative, derived from the provider's typology; it does not replace a SEAL "
              "assessment of the service under contract, and the code does not show the contract.",
    # residency
    "regions": "Regions", "countries": "Countries", "placed": "Placements (a resource in a region)", "outside": "Placed outside the allowed residency",
    "unknown_regions": "Regions the registry does not know", "unresolved_places": "Placement not known statically",
    "allowed_target": "Allowed: tier {tier} and stricter", "allow_list": "allow list", "deny_list": "deny list",
    "tier": "Tier", "country": "Country", "region": "Region", "allowed": "Allowed", "resources": "Resources",
    "yes": "yes", "no": "no", "unknown": "unknown", "chart": "Resources per residency tier",
    "role_location": "own location", "role_provider": "provider region", "role_replica": "replica (paired region)",
    "tier_eu": "EU", "tier_eea": "EEA", "tier_adequacy": "adequacy decision", "tier_third-country": "other (third country)",
    "tier_unknown": "not in the region registry", "depends_on": "depends on {what}", "no_regions": "No resource in the code names a region.",
    "region_registry": "Region registry as of {as_of}. A resource counts once per region it uses: its own location, "
                       "an AWS resource's provider region, and the paired region geo-redundant Azure storage copies to.",
    # families
    "family": "Family", "protects": "What it protects", "pass_rate": "Pass rate", "top_findings": "Top findings",
    # haven
    "clusters": "Clusters", "preflight_passing": "Pre-flight checks passing", "live_files": "Live HCC results",
    "cluster": "Cluster", "preflight": "Pre-flight", "would_fail": "Fail the pre-flight", "not_decided": "Not decided statically",
    "live": "Live HCC", "hcc_check": "HCC check", "of": "{n} of {m}", "no_haven": "No Kubernetes cluster in the "
    "Terraform code and no HCC results.", "compliant": "Haven compliant", "state_pass": "pass", "state_fail": "fail",
    "state_open": "open", "state_waived": "waived", "state_unchecked": "not pre-flighted", "state_cannot": "needs the live cluster", "haven_note": "The pre-flight judges the code against the Haven Compliancy Checker's own "
    "checks before the cluster exists; only HCC on the live cluster shows compliance.",
    # exit
    "proprietary_share": "Proprietary share of managed services", "backed_up": "Data stores backed up",
    "pinned": "Pinned", "exit_plan": "Exit plan", "last_test": "Last exit test", "present": "present",
    "missing": "missing", "lockin": "Lock-in inventory", "class_proprietary": "proprietary",
    "class_moderate": "moderate", "class_portable": "portable", "class_undetermined": "not known statically",
    "type": "Type", "count": "Count", "backups": "Backup coverage", "data_store": "Data store", "state": "State",
    "pinning": "Pinning", "what": "What", "not_pinned": "Not pinned", "not_pinned_where": "Where not pinned", "pin_modules": "providers and modules",
    "pin_lock-files": "dependency lock files", "pin_image-versions": "container images, a version",
    "pin_images": "container images, by digest", "no_data_stores":
    "No data store the backup policy judges was found.", "not_checked": "not checked", "max_age": "Maximum age",
    "months": "{n} months", "plan_where": "Where", "plan_state": "EXIT-005",
    # waivers
    "entries": "Entries", "active": "active", "expired": "expired", "unused": "unused", "invalid": "invalid",
    "stale": "stale", "source": "Source", "rule": "Rule", "resource": "Resource", "where": "Where", "owner": "Owner",
    "reason": "Reason", "expires": "Expires", "findings_waived": "Findings waived", "problem": "Problem",
    "inline": "inline comment", "configuration_src": "configuration", "baseline": "baseline",
    "no_waivers": "No waiver and no baseline entry.",
    # controls
    "iso_controls": "ISO/IEC 27002:2022 controls (BIO2)", "sov_objectives": "SOV objectives and criteria",
    "id": "Id", "control_title": "Title", "controls_failing": "With a failed check", "coverage_note": "A control counts as evidenced when a check of a policy "
    "that maps to it ran in this scan (the figures: evidenced of the controls the policies map to; a control whose "
    "policies found nothing to judge here is listed with zeros). The counts are the outcomes of those policies' "
    "checks; a control also has organisational parts no scan of code can show.",
    # findings
    "filter": "Filter", "filter_hint": "text in rule, file, resource or message", "level": "Level",
    "root_module": "Deployed by the root module", "term_eu": "EU", "term_non-eu": "outside the EU",
    "term_unknown": "unknown", "term_n/a": "n/a", "term_public-cloud": "public cloud",
    "term_market-sovereign": "sovereign cloud on the market", "term_none": "none", "evidence": "Evidence (masked)", "why": "Why it matters", "fix": "Fix", "decided_by": "Decided by",
    "help": "Documentation", "no_findings": "No findings.", "unresolved_checks": "Unresolved checks",
    "waived_findings": "Waived and baselined findings", "active_findings": "Active findings",
    "footer": "Generated by sovscan {version}. Messages and fixes are in the report's language; the evidence after "
              "a message (a value, an attribute, a notice) is shown as the tool read it.",
    # organisation
    "repositories": "Repositories", "repository": "Repository", "org_posture": "Posture across the organisation",
    "per_repository": "Per repository", "worst": "Worst offenders per family", "expiring": "Waivers expiring soon",
    "expiring_within": "Expiring within {days} days of {date} (the latest scan merged), or expired.",
    "in_repositories": "In repositories", "no_expiring": "No waiver expires within {days} days.",
    "totals": "Totals", "exit_code": "Exit code", "failing_repositories": "Repositories failing the gate",
    "regions_outside": "Regions outside the allowed residency", "s_org_residency": "Residency across the organisation",
    "s_org_controls": "Control coverage across the organisation",
}

_NL = {
    "title": "Rapport soevereiniteit en beveiliging", "org_title": "Organisatierapport soevereiniteit en beveiliging",
    "scanned": "Gescand", "revision": "Commit", "date": "Scandatum", "tool": "Tool", "profile": "Profiel", "configuration": "Configuratie",
    "none": "geen", "contents": "Inhoud", "language": "Taal",
    "s_verdict": "Oordeel", "s_posture": "Soevereiniteitspositie", "s_residency": "Dataresidentie",
    "s_families": "Resultaten per familie", "s_haven": "Haven-preflight en live HCC", "s_exit": "Exit-gereedheid",
    "s_waivers": "Uitzonderingenregister", "s_controls": "Dekking van beheersmaatregelen", "s_findings": "Bevindingen",
    "s_notices": "Invoer die niet volledig is beoordeeld", "message": "Melding",
    "no_notices": "Alle invoer is volledig gelezen, gerenderd en geëvalueerd.",
    "more_notices": "en nog {n} (elk rapportformaat dat meldingen toont heeft ze allemaal: SARIF, JSON, tekst)",
    "gate": "Poort", "failing": "Bevindingen die de poort afkeuren", "files": "Bestanden", "policies": "Policies",
    "checks": "Controles", "passed": "Geslaagd", "findings": "Bevindingen", "unresolved": "Onbeslist",
    "waived": "Uitgezonderd", "failed": "Gefaald", "fail_on_table": "Zou de poort slagen bij elke --fail-on?",
    "fail_on": "--fail-on", "outcome": "Uitkomst", "this_run": "deze run", "gate_passes": "slaagt",
    "gate_fails": "keurt af",
    "why_fails": "Waarom: {count} op of boven {level}. De regels met de meeste daarvan:",
    "why_passes": "Waarom: geen actieve bevinding in deny-modus op of boven {level}.",
    "why_never": "Waarom: --fail-on never meldt bevindingen zonder de run af te keuren.",
    "rules_of_run": "De regels van deze run", "strict": "--strict: de run keurt ook af omdat",
    "providers": "Aanbieders in gebruik", "outside_eu": "Jurisdictie buiten de EU", "seal_target": "SEAL-doel",
    "meets_target": "Halen het doel", "no_target": "niet ingesteld", "provider": "Aanbieder",
    "jurisdiction": "Jurisdictie", "control": "Zeggenschap", "operations": "Beheer", "hosting": "Hostingtype",
    "seal": "Indicatief SEAL", "against_target": "Tegen het doel", "meets": "haalt het", "below": "eronder",
    "not_in_registry": "niet in het providerregister", "no_providers": "De code declareert geen cloudaanbieder.",
    "requirement": "Soevereiniteitseis", "posture_after": "Indicatief, naar {source}.",
    "boundaries": "Wat dit bewijs laat zien, en wat niet",
    "b_jurisdiction": "Jurisdictie: een voldoende laat het rechtsstelsel van het hoofdkantoor van de aanbieder zien "
                      "zoals het providerregister het vastlegt (stand {as_of}); het laat geen blootstelling via "
                      "dochterondernemingen, contracten of extraterritoriale wetgeving in een concreet geval zien.",
    "b_control": "Zeggenschap en beheer: een voldoende laat zien of het register EU-zeggenschap en EU-beheer voor de "
                 "aanbieder vastlegt; het laat niet zien wie in de praktijk bij de gegevens kan, noch de "
                 "subverwerkers van de aanbieder.",
    "b_seal": "SEAL: de bandbreedte is indicatief, afgeleid van de typologie van de aanbieder; ze vervangt geen "
              "SEAL-beoordeling van de gecontracteerde dienst, en de code laat het contract niet zien.",
    "regions": "Regio's", "countries": "Landen", "placed": "Plaatsingen (een resource in een regio)", "outside": "Geplaatst buiten de toegestane residentie",
    "unknown_regions": "Regio's die het register niet kent", "unresolved_places": "Plaats statisch niet bekend",
    "allowed_target": "Toegestaan: tier {tier} en strenger", "allow_list": "toegestane lijst", "deny_list": "verboden lijst",
    "tier": "Tier", "country": "Land", "region": "Regio", "allowed": "Toegestaan", "resources": "Resources",
    "yes": "ja", "no": "nee", "unknown": "onbekend", "chart": "Resources per residentietier",
    "role_location": "eigen locatie", "role_provider": "regio van de provider", "role_replica": "replica (gekoppelde regio)",
    "tier_eu": "EU", "tier_eea": "EER", "tier_adequacy": "adequaatheidsbesluit", "tier_third-country": "overig (derde land)",
    "tier_unknown": "niet in het regioregister", "depends_on": "hangt af van {what}", "no_regions": "Geen resource in de code noemt een regio.",
    "region_registry": "Regioregister, stand {as_of}. Een resource telt één keer per regio die hij gebruikt: zijn eigen "
                       "locatie, de providerregio van een AWS-resource, en de gekoppelde regio waarnaar geo-redundante "
                       "Azure-opslag kopieert.",
    "family": "Familie", "protects": "Wat ze beschermt", "pass_rate": "Slagingspercentage", "top_findings": "Belangrijkste bevindingen",
    "clusters": "Clusters", "preflight_passing": "Geslaagde preflightcontroles", "live_files": "Live HCC-resultaten",
    "cluster": "Cluster", "preflight": "Preflight", "would_fail": "Falen in de preflight", "not_decided": "Statisch niet te beslissen",
    "live": "Live HCC", "hcc_check": "HCC-controle", "of": "{n} van {m}", "no_haven": "Geen Kubernetes-cluster in de "
    "Terraform-code en geen HCC-resultaten.", "compliant": "Haven-compliant", "state_pass": "voldoet",
    "state_fail": "faalt", "state_open": "open", "state_waived": "uitgezonderd", "state_unchecked": "niet vooraf gecontroleerd",
    "state_cannot": "vraagt het live cluster", "haven_note": "De preflight toetst de code aan de eigen controles van "
    "de Haven Compliancy Checker voordat het cluster bestaat; alleen HCC op het live cluster toont compliance.",
    "proprietary_share": "Aandeel propriëtaire managed services", "backed_up": "Gegevensopslag met back-up",
    "pinned": "Vastgepind", "exit_plan": "Exit-plan", "last_test": "Laatste exit-test", "present": "aanwezig",
    "missing": "ontbreekt", "lockin": "Inventaris van lock-in", "class_proprietary": "propriëtair",
    "class_moderate": "gemiddeld", "class_portable": "portabel", "class_undetermined": "statisch niet bekend",
    "type": "Type", "count": "Aantal", "backups": "Back-updekking", "data_store": "Gegevensopslag", "state": "Status",
    "pinning": "Vastpinnen", "what": "Wat", "not_pinned": "Niet vastgepind", "not_pinned_where": "Waar niet vastgepind", "pin_modules": "providers en modules",
    "pin_lock-files": "lockbestanden voor afhankelijkheden", "pin_image-versions": "containerimages, een versie",
    "pin_images": "containerimages, op digest", "no_data_stores":
    "Geen gegevensopslag gevonden die de back-uppolicy beoordeelt.", "not_checked": "niet gecontroleerd",
    "max_age": "Maximale leeftijd", "months": "{n} maanden", "plan_where": "Waar", "plan_state": "EXIT-005",
    "entries": "Vermeldingen", "active": "actief", "expired": "verlopen", "unused": "ongebruikt", "invalid": "ongeldig",
    "stale": "verouderd", "source": "Bron", "rule": "Regel", "resource": "Resource", "where": "Waar",
    "owner": "Eigenaar", "reason": "Reden", "expires": "Verloopt", "findings_waived": "Uitgezonderde bevindingen",
    "problem": "Probleem", "inline": "commentaar in de code", "configuration_src": "configuratie",
    "baseline": "baseline", "no_waivers": "Geen uitzondering en geen baselineregel.",
    "iso_controls": "Beheersmaatregelen ISO/IEC 27002:2022 (BIO2)", "sov_objectives": "SOV-doelstellingen en -criteria",
    "id": "Id", "control_title": "Titel", "controls_failing": "Met een gefaalde controle", "coverage_note": "Een beheersmaatregel telt als onderbouwd wanneer in deze "
    "scan een controle liep van een policy die ernaar verwijst (de cijfers: onderbouwd van de maatregelen waarnaar "
    "de policies verwijzen; een maatregel waarvan de policies hier niets te beoordelen vonden, staat erbij met "
    "nullen). De aantallen zijn de uitkomsten van de controles van die policies; een beheersmaatregel heeft ook "
    "organisatorische delen die geen scan van code laat zien.",
    "filter": "Filter", "filter_hint": "tekst in regel, bestand, resource of melding", "level": "Niveau",
    "root_module": "Uitgerold door de rootmodule", "term_eu": "EU", "term_non-eu": "buiten de EU",
    "term_unknown": "onbekend", "term_n/a": "n.v.t.", "term_public-cloud": "publieke cloud",
    "term_market-sovereign": "soevereine cloud uit het marktaanbod", "term_none": "geen", "evidence": "Bewijs (gemaskeerd)", "why": "Waarom het ertoe doet", "fix": "Oplossing", "decided_by": "Bepaald door",
    "help": "Documentatie", "no_findings": "Geen bevindingen.", "unresolved_checks": "Onbesliste controles",
    "waived_findings": "Uitgezonderde bevindingen en baseline", "active_findings": "Actieve bevindingen",
    "footer": "Gemaakt door sovscan {version}. Meldingen en oplossingen staan in de taal van het rapport; het bewijs "
              "achter een melding (een waarde, een attribuut, een melding van de tool) staat er zoals de tool het las.",
    "repositories": "Repository's", "repository": "Repository", "org_posture": "Positie over de hele organisatie",
    "per_repository": "Per repository", "worst": "Grootste knelpunten per familie", "expiring": "Uitzonderingen die binnenkort verlopen",
    "expiring_within": "Verlopen binnen {days} dagen na {date} (de laatste samengevoegde scan), of al verlopen.",
    "in_repositories": "In repository's", "no_expiring": "Geen uitzondering verloopt binnen {days} dagen.",
    "totals": "Totalen", "exit_code": "Exitcode", "failing_repositories": "Repository's die de poort afkeurt",
    "regions_outside": "Regio's buiten de toegestane residentie", "s_org_residency": "Dataresidentie over de hele organisatie",
    "s_org_controls": "Dekking van beheersmaatregelen over de hele organisatie",
}

WORDS = {"en": _EN, "nl": _NL}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, _EN)
