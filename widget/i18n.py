"""Every text readers and authors see, in every language, and the one choice of language.

The texts are gettext catalogues, one file per language: `widget/locales/<lang>.po`, read with
Babel at start-up. Adding a language is adding one file (say `it.po`, with its `Language` and
`Plural-Forms` headers): the languages offered are the files present, and Babel supplies the new
language's plural rules, number and date formats. tests/test_catalogues_complete.py says what a
file still lacks.

Inside a file, `msgctxt` says who reads a text: "widget" for readers (the embed, the no-JS
frame, the server-rendered fragment), "dashboard" for authors. Two contexts in one file rather
than two gettext domains, so that a language stays one file. The msgid is the key the code uses
("thanks"), which is also the key of a site's own wording in its settings (`texts`:
{"sk": {"thanks": "..."}}); English is a translation like the others. An empty or fuzzy
translation counts as missing, as in gettext, and the English text stands in.

A text that depends on a number is a gettext plural (msgid_plural, msgstr[0], msgstr[1], ...).
gettext counts whole numbers, so a file holds one form per CLDR plural category that whole
numbers reach in its language, in CLDR's order (zero, one, two, few, many, other): one/few/other
in Slovak, one/many/other in French (many: exact millions, "1 000 000 de votes"). Babel's CLDR
rule picks the category at run time; the `Plural-Forms` header is there for translation tools,
and the test checks that it agrees with Babel.

In memory a catalogue maps a key to a string or to {category: text}, "{n}" standing for the
number: the shape a site's own texts take, and what the embed receives (it picks the category
with Intl.PluralRules). The embed gets only the catalogue of the language it asked for, already
merged with the site's texts, inside the summary response: shipping every catalogue in embed.js
would cost more than its whole 5 KB budget.

The language, for the widget, the frame and the dashboard alike (`choose`): an explicit choice
first (the widget's `lang`, the dashboard's cookie), then the browser's Accept-Language with its
q-values, then English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

Message = str | dict[str, str]
Catalogue = dict[str, Message]

LOCALES_DIR = Path(__file__).parent / "locales"
CONTEXTS = ("widget", "dashboard")
DEFAULT_LANG = "en"
MAX_ASKS = 100  # as many as posts: one per widget at most
MAX_RANGES = 40  # of one Accept-Language value; a browser sends a handful
# CLDR's own order of plural categories, which the msgstr[i] of a plural follow.
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
# Whole numbers that reach every category CLDR gives a whole number: its rules look at n, n % 10,
# n % 100 and, for "many" in French, Spanish or Italian, n % 1000000.
WHOLE_NUMBERS = (*range(200), 1000, 10**6)


@dataclass(frozen=True)
class Language:
    locale: Locale
    forms: tuple[str, ...]  # the categories of its plural texts, in msgstr order
    catalogues: dict[str, Catalogue]  # by context: "widget", "dashboard"


def whole_number_forms(locale: Locale) -> tuple[str, ...]:
    rule = locale.plural_form
    reached = {rule(n) for n in WHOLE_NUMBERS}
    return tuple(tag for tag in CLDR_ORDER if tag in reached)


def read_language(path: Path) -> Language:
    """One .po file; a header that disagrees with the language's plural rule stops start-up,
    since every plural text of the file would then show the wrong form."""
    locale = Locale.parse(path.stem)
    forms = whole_number_forms(locale)
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    if po.num_plurals != len(forms):
        raise ValueError(
            f"{path}: Plural-Forms says nplurals={po.num_plurals}, but {locale.english_name}"
            f" has {len(forms)} forms for whole numbers ({', '.join(forms)})"
        )
    catalogues: dict[str, Catalogue] = {context: {} for context in CONTEXTS}
    for entry in po:
        catalogue = catalogues.get(entry.context or "")
        if catalogue is None or not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple) and isinstance(entry.string, tuple):
            written = {tag: text for tag, text in zip(forms, entry.string, strict=False) if text}
            if written:
                catalogue[entry.id[0]] = written
        elif isinstance(entry.id, str) and isinstance(entry.string, str) and entry.string:
            catalogue[entry.id] = entry.string
    return Language(locale, forms, catalogues)


def read_languages(directory: Path) -> dict[str, Language]:
    """Every .po file of `directory`, English first (the fallback), the others by code."""
    found = {path.stem: read_language(path) for path in sorted(directory.glob("*.po"))}
    if DEFAULT_LANG not in found:
        raise ValueError(
            f"{directory} has no {DEFAULT_LANG}.po, the texts every other falls back to"
        )
    return {DEFAULT_LANG: found.pop(DEFAULT_LANG), **found}


SHIPPED = read_languages(LOCALES_DIR)
LANGUAGES = tuple(SHIPPED)
CATALOGUES: dict[str, Catalogue] = {
    code: lang.catalogues["widget"] for code, lang in SHIPPED.items()
}


def locale_of(lang: str) -> Locale:
    return (SHIPPED.get(lang) or SHIPPED[DEFAULT_LANG]).locale


def language_ranges(header: str | None) -> list[str]:
    """The tags of an Accept-Language value (or of one tag), most wanted first.

    "en;q=0.1, sk" gives ["sk", "en"]: q-values decide, ties keep their order. q=0 means "not
    this one"; a malformed q-value counts as 0, so that a broken entry cannot win over a good one.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:MAX_RANGES]):
        tag, *params = part.split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().replace("_", "-")
        if tag and tag != "*" and 0 < quality <= 1:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(accept_language: str | None, languages: Sequence[str] = LANGUAGES) -> str | None:
    """The language of ours the value prefers most ("sk-SK" matches sk), or None."""
    ours = {code.lower().replace("_", "-"): code for code in languages}
    found = negotiate_locale(language_ranges(accept_language), list(ours), sep="-", aliases={})
    return ours.get(found.lower()) if found else None


def choose(*candidates: str | None) -> str:
    """The language to use: the first candidate that names one of ours, else English.

    Candidates come in order of authority: an explicit choice (a tag, or a browser's list as
    the embed sends it), then the request's Accept-Language.
    """
    for candidate in candidates:
        found = negotiate(candidate)
        if found:
            return found
    return DEFAULT_LANG


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of a whole number in `lang`, by Babel's rules."""
    return str(locale_of(lang).plural_form(n))


def plural_text(message: Mapping[str, str], lang: str, n: int) -> str:
    """The form of a plural message for n; a site's own wording may lack forms: "other" then."""
    found = message.get(plural_category(lang, n)) or message.get("other")
    return found or next(iter(message.values()), "")


def messages(lang: str, overrides: Mapping[str, Any] | None = None) -> Catalogue:
    """The catalogue of `lang` over the English one, with the site's texts for `lang` on top.

    Overrides that are not strings (or dicts of strings) are ignored rather than trusted: site
    settings are edited by people, and a stray number must not break every widget.
    """
    merged: Catalogue = {**CATALOGUES[DEFAULT_LANG], **CATALOGUES.get(lang, {})}
    mine = (overrides or {}).get(lang)
    if isinstance(mine, Mapping):
        for key, value in mine.items():
            if isinstance(key, str) and isinstance(value, str):
                merged[key] = value
            elif isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
                merged[key] = {str(k): v for k, v in value.items()}
    return merged


def text(
    catalogue: Catalogue, key: str, n: int | None = None, lang: str = "en", **values: str
) -> str:
    """One message, its plural form chosen by `n`, with {placeholders} filled in."""
    message = catalogue.get(key, CATALOGUES[DEFAULT_LANG].get(key, key))
    if isinstance(message, dict):
        message = plural_text(message, lang, n or 0)
    if n is not None:  # grouped as the embed groups it (toLocaleString): 1,234 votes
        values["n"] = format_decimal(n, locale=locale_of(lang))
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message


def format_average(lang: str, average: float) -> str:
    """4.3 in English, 4,3 in Slovak: one decimal, like the embed."""
    return format_decimal(average, "0.0", locale=locale_of(lang))


def reason_label(catalogue: Catalogue, reason: str) -> str:
    """Built-in reasons have texts; a site's own reason shows its own text, else its name."""
    found = catalogue.get("reason_" + reason)
    return found if isinstance(found, str) else reason.replace("_", " ").replace("-", " ")


def client_texts(asks: list[str], site_texts: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the summary response adds for the embed, which asks with one `lang` per widget
    language on the page (a tag or a browser's list): `chosen[i]` is the language picked for
    `asks[i]`, and `languages` holds each picked catalogue once, with the site's texts."""
    chosen = [choose(ask) for ask in asks[:MAX_ASKS]]
    return {"chosen": chosen, "languages": {lang: messages(lang, site_texts) for lang in chosen}}
