"""The dashboard's message catalogues, the author's language, and numbers and dates in it.

The reader-facing catalogues live in widget/i18n.py and travel to the embed; these are for
authors only and never leave the server. Each language is its own data module (messages_en,
messages_sk, ...) so that this one stays about behaviour: which language an author gets, and
how a text, a number or a date is written in it.

Choice of language, first match wins: the author's own choice (a small cookie set by the switch
in the page header, kept across logins), then the browser's Accept-Language (q-values
honoured), then English. Numbers and dates are formatted by hand with the few rules the shipped
languages need, rather than pulling in Babel for two locales.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from markupsafe import Markup, escape

from widget.dashboard.messages_cs import CS
from widget.dashboard.messages_de import DE
from widget.dashboard.messages_en import EN
from widget.dashboard.messages_es import ES
from widget.dashboard.messages_fr import FR
from widget.dashboard.messages_sk import SK
from widget.i18n import Catalogue, plural_category
from widget.models import FEEDBACK_STATUSES

CATALOGUES: dict[str, Catalogue] = {"en": EN, "sk": SK, "cs": CS, "de": DE, "fr": FR, "es": ES}
LANGUAGES = tuple(CATALOGUES)
DEFAULT_LANG = "en"
LANG_COOKIE = "widget_dashboard_lang"
LANG_COOKIE_SECONDS = 365 * 86400

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"  # French groups digits and sets % apart with it (CLDR)


@dataclass(frozen=True)
class NumberStyle:
    decimal: str
    group: str
    percent: str  # between the number and %, as the language writes it
    group_from: int = 1000  # Spanish writes 1234 but 12.345 (CLDR minimum grouping digits)


NUMBER_STYLES = {
    "en": NumberStyle(".", ",", ""),
    "sk": NumberStyle(",", NBSP, NBSP),
    "cs": NumberStyle(",", NBSP, NBSP),
    "de": NumberStyle(",", ".", NBSP),
    "fr": NumberStyle(",", NARROW_NBSP, NARROW_NBSP),
    "es": NumberStyle(",", ".", NBSP, group_from=10000),
}
# Day, month and year as each language writes them; English keeps ISO 8601, which reads the
# same in the US and the UK.
DATE_FORMATS = {
    "en": "{y:04d}-{m:02d}-{d:02d}",
    "sk": "{d}. {m}. {y}",
    "cs": "{d}. {m}. {y}",
    "de": "{d:02d}.{m:02d}.{y}",
    "fr": "{d:02d}/{m:02d}/{y}",
    "es": "{d}/{m}/{y}",
}


def negotiate(accept_language: str | None) -> str | None:
    """The dashboard language the browser prefers most, or None when it names none of ours.

    "pl-PL, sk;q=0.8, en;q=0.5" gives "sk": Polish is not shipped, and Slovak outranks English.
    Malformed q-values count as 0 so that a broken header cannot win over a good one.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:40]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in CATALOGUES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in CATALOGUES:
        return str(cookie)
    return negotiate(accept_language) or DEFAULT_LANG


@dataclass(frozen=True)
class Texts:
    """One language's texts and formats, as templates and page code use them: t("key", n=3)."""

    lang: str = DEFAULT_LANG

    @property
    def catalogue(self) -> Catalogue:
        return CATALOGUES.get(self.lang, CATALOGUES[DEFAULT_LANG])

    def __call__(self, key: str, n: int | None = None, **values: object) -> str:
        message = self.catalogue.get(key, CATALOGUES[DEFAULT_LANG].get(key, key))
        if isinstance(message, dict):
            category = plural_category(self.lang, n or 0)
            message = message.get(category) or message["other"]
        if n is not None:
            values["n"] = self.number(n)
        for name, value in values.items():
            message = message.replace("{" + name + "}", str(value))
        return message

    def html(self, key: str, n: int | None = None, **values: object) -> Markup:
        """A text with markup in its placeholders: the text is escaped, Markup values are not."""
        marks = {name: f"\0{name}\0" for name in values}
        shown = str(escape(self(key, n, **marks)))
        for name, value in values.items():
            shown = shown.replace(f"\0{name}\0", str(escape(value)))
        return Markup(shown)

    @property
    def style(self) -> NumberStyle:
        return NUMBER_STYLES.get(self.lang, NUMBER_STYLES[DEFAULT_LANG])

    def number(self, value: int) -> str:
        """1,234 in English, 1 234 (no-break space) in Slovak and Czech, 1.234 in German."""
        grouping = "," if abs(value) >= self.style.group_from else ""
        return f"{value:{grouping}}".replace(",", self.style.group)

    def decimal(self, value: float, places: int = 2) -> str:
        """4.35 in English, 4,35 in the other languages; thousands grouped like number()."""
        grouping = "," if abs(value) >= self.style.group_from else ""
        whole = f"{value:{grouping}.{places}f}".replace(",", "\0").replace(".", self.style.decimal)
        return whole.replace("\0", self.style.group)

    def short(self, value: float) -> str:
        """An axis label: 40, 2.5 (no trailing zeros), with the language's decimal mark."""
        return f"{value:g}".replace(".", self.style.decimal)

    def percent(self, share: float) -> str:
        return f"{share * 100:.0f}{self.style.percent}%"

    def date(self, day: date | str) -> str:
        """2026-11-25 in English, 25. 11. 2026 in Slovak, 25.11.2026 in German, and so on."""
        if isinstance(day, str):
            day = date.fromisoformat(day)
        pattern = DATE_FORMATS.get(self.lang, DATE_FORMATS[DEFAULT_LANG])
        return pattern.format(d=day.day, m=day.month, y=day.year)

    def when(self, timestamp: float | None) -> str:
        """A moment in UTC, the server's fallback: dashboard.js rewrites it in local time."""
        if not timestamp:
            return self("never")
        moment = datetime.fromtimestamp(timestamp, UTC)
        return f"{self.date(moment.date())} {moment:%H:%M} UTC"

    def status_names(self) -> dict[str, str]:
        return {key: self("status_" + key) for key in FEEDBACK_STATUSES}

    def range_names(self) -> dict[str, str]:
        return {key: self("range_" + key) for key in RANGE_KEYS}

    def audit_action(self, action: str) -> str:
        found = self.catalogue.get("action_" + action)
        return found if isinstance(found, str) else action.replace("_", " ")


RANGE_KEYS = ("7", "30", "90", "all")
ENGLISH = Texts(DEFAULT_LANG)


def texts_for(lang: str) -> Texts:
    return Texts(lang if lang in CATALOGUES else DEFAULT_LANG)


def placeholders(message: str | Mapping[str, str]) -> set[str]:
    """The {names} a message uses, across all its plural forms: the unit test compares them."""
    forms = message.values() if isinstance(message, Mapping) else [message]
    found: set[str] = set()
    for form in forms:
        for chunk in form.split("{")[1:]:
            name = chunk.split("}")[0]
            if name.isidentifier():
                found.add(name)
    return found
