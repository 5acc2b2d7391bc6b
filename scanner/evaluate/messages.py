"""A finding's message in every language the policy speaks: its own template in that language, and the
engine's few words around it (where a value was set, a check that could not be decided).

The `{detail}` a predicate gives is evidence: it stays as the tool read it (English), in every language.
"""
from __future__ import annotations

from scanner.evaluate.policies import LANGUAGES, Check, Policy, in_sentence

_WORDS = {
    "en": {"installed": " (in the installed module at {place})",
           "passed": " (passed to {place})",
           "default": " (the module's default at {place}; pass the value in this module call)",
           "set": " (set in {place})",
           "plan": "the plan {place}",
           "open": "{address}: could not verify {title}: {blocker} is not known statically",
           "blocker": "value not known statically"},
    "nl": {"installed": " (in de geïnstalleerde module op {place})",
           "passed": " (doorgegeven aan {place})",
           "default": " (de standaardwaarde van de module op {place}; geef de waarde mee in deze module-aanroep)",
           "set": " (gezet in {place})",
           "plan": "het plan {place}",
           "open": "{address}: kon niet nagaan of is voldaan aan \"{title}\": {blocker} is statisch niet bekend",
           "blocker": "een waarde die statisch niet bekend is"},
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def template(policy: Policy, check: Check, lang: str) -> str:
    """The check's own message template in `lang`, else the policy's."""
    text, number = policy.text(lang), policy.number_of(check)
    own = text.check_messages[number] if number < len(text.check_messages) else None
    return own or text.message


def undecided(policy: Policy, address: str, blocker: str, lang: str) -> str:
    return words(lang)["open"].format(address=address, title=in_sentence(policy.text(lang).title),
                                      blocker=blocker or words(lang)["blocker"])


def note(key: str, place: str, lang: str) -> str:
    """One of the engine's notes after a message: `passed`, `installed`, `default` or `set`."""
    return words(lang)[key].format(place=place)


def plan_place(place: str, lang: str) -> str:
    return words(lang)["plan"].format(place=place)


__all__ = ["LANGUAGES", "note", "plan_place", "template", "undecided", "words"]
