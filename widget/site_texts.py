"""A site's own widget texts (site settings `texts`): checked when saved, made safe when served.

The embed picks a plural form with `messages[key][Intl.PluralRules.select(n)] || .other` and
fills `{name}` placeholders from what it passes; a site text with `votes.one` alone therefore
left 3 votes with no text at all and the widget stopped with a TypeError, and a placeholder the
widget does not pass did the same. So the dashboard refuses such texts (`problem`), and what is
served (`usable`) completes or drops the ones stored before this check: the built-in text fills
in for a missing plural form or a text the widget could not fill.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from widget import i18n

# As the embed's own /\{(\w+)\}/: JavaScript's \w is ASCII.
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")
# Reason labels are shown as written (textContent), never filled in: no placeholders to keep.
_AS_WRITTEN = "reason_"


@cache
def plural_forms(lang: str) -> tuple[str, ...]:
    """The CLDR categories a whole number can take in `lang`, as i18n's rules give them.

    Asked of i18n.plural_category rather than listed here, so there is one set of rules: every
    category it gives for 0-999 (the rules for our languages repeat well before that).
    """
    primary = lang.split("-")[0].lower()
    found = {i18n.plural_category(primary, n) for n in range(1000)}
    return tuple(sorted(found, key=("zero", "one", "two", "few", "many", "other").index))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _built_in(catalogue: i18n.Catalogue, key: str) -> i18n.Message | None:
    return catalogue.get(key)


def _expected(built_in: i18n.Message | None) -> set[str]:
    if built_in is None:
        return set()
    forms = built_in.values() if isinstance(built_in, Mapping) else [built_in]
    found: set[str] = set()
    for form in forms:
        found |= placeholders(form)
    return found


def problem(lang: str, key: str, value: str | Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Why this text cannot be saved, as (dashboard message key, its values); ("", {}) if fine.

    A text for a number must give every plural form the language uses (or be one plain text
    for all numbers); a text for a fixed wording has no plural forms; and a text keeps the
    built-in text's placeholders and adds none (the widget fills only those).
    """
    built_in = _built_in(i18n.messages(lang.split("-")[0].lower()), key)
    if isinstance(value, Mapping):
        if not isinstance(built_in, Mapping):
            return "problem_text_not_plural", {"lang": lang, "name": key}
        forms = plural_forms(lang)
        missing = [form for form in forms if form not in value]
        if missing:
            shown = {"forms": ", ".join(forms), "missing": ", ".join(missing)}
            return "problem_text_forms", {"lang": lang, "name": key, **shown}
        texts = list(value.values())
    else:
        texts = [value]
    if key.startswith(_AS_WRITTEN):
        return "", {}
    expected = _expected(built_in)
    for text in texts:
        found = placeholders(text)
        if found - expected:
            unknown = "{" + sorted(found - expected)[0] + "}"
            return "problem_text_placeholder_unknown", {"lang": lang, "name": key, "value": unknown}
        if expected - found:
            kept = " ".join("{" + name + "}" for name in sorted(expected))
            return "problem_text_placeholder_missing", {"lang": lang, "name": key, "value": kept}
    return "", {}


def usable(texts: Any) -> dict[str, dict[str, i18n.Message]]:
    """The site's texts as the widget may be given them: a missing plural form comes from the
    built-in text, and a text the widget could not show (a placeholder it does not fill, plural
    forms for a fixed wording, not text at all) is left out so that the built-in one shows."""
    if not isinstance(texts, Mapping):
        return {}
    served: dict[str, dict[str, i18n.Message]] = {}
    for lang, mine in texts.items():
        if not isinstance(lang, str) or not isinstance(mine, Mapping):
            continue
        catalogue = i18n.messages(lang.split("-")[0].lower())
        kept: dict[str, i18n.Message] = {}
        for key, value in mine.items():
            if isinstance(key, str):
                found = _usable_text(catalogue, key, value)
                if found is not None:
                    kept[key] = found
        served[lang] = kept
    return served


def _usable_text(catalogue: i18n.Catalogue, key: str, value: Any) -> i18n.Message | None:
    built_in = _built_in(catalogue, key)
    fills = not key.startswith(_AS_WRITTEN)
    expected = _expected(built_in)

    def fits(text: Any) -> bool:
        return isinstance(text, str) and not (fills and placeholders(text) - expected)

    if isinstance(value, Mapping):
        if not isinstance(built_in, Mapping):
            return None
        forms = dict(built_in)
        forms.update({str(k): v for k, v in value.items() if fits(v)})
        return forms
    return value if fits(value) else None
