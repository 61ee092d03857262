"""The dashboard's texts in the author's language, and numbers and dates written in it.

The texts are the "dashboard" context of widget/locales/<lang>.po (see widget/i18n.py, which
reads them with the readers' texts); they are for authors only and never leave the server. This
module is about how a text, a number or a date is written: the formats are CLDR's, from Babel.

Choice of language (widget/http/dashboard/web.py, with i18n.choose like every surface): the author's
own choice (a small cookie set by the switch in the page header, kept across logins), then the
browser's Accept-Language (q-values honoured), then English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape

from widget import i18n
from widget.i18n import Catalogue
from widget.models import FEEDBACK_STATUSES

CATALOGUES: dict[str, Catalogue] = {
    code: lang.catalogues["dashboard"] for code, lang in i18n.SHIPPED.items()
}
DEFAULT_LANG = i18n.DEFAULT_LANG
LANG_COOKIE = "widget_dashboard_lang"
LANG_COOKIE_SECONDS = 365 * 86400


@cache
def fixed_decimals(lang: str, places: int) -> str:
    """The language's own number pattern with exactly `places` decimals: "#,##0.00"."""
    pattern = str(i18n.locale_of(lang).decimal_formats[None].pattern)
    return pattern.split(".")[0] + "." + "0" * places


@dataclass(frozen=True)
class Texts:
    """One language's texts and formats, as templates and page code use them: t("key", n=3)."""

    lang: str = DEFAULT_LANG

    @property
    def catalogue(self) -> Catalogue:
        return CATALOGUES.get(self.lang, CATALOGUES[DEFAULT_LANG])

    @property
    def locale(self) -> Locale:
        return i18n.locale_of(self.lang)

    def __call__(self, key: str, n: int | None = None, **values: object) -> str:
        message = self.catalogue.get(key, CATALOGUES[DEFAULT_LANG].get(key, key))
        if isinstance(message, dict):
            message = i18n.plural_text(message, self.lang, n or 0)
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

    def number(self, value: int) -> str:
        """1,234 in English, 1 234 (no-break space) in Slovak and Czech, 1.234 in German."""
        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float, places: int = 2) -> str:
        """4.35 in English, 4,35 in the other languages; thousands grouped like number()."""
        return format_decimal(value, fixed_decimals(self.lang, places), locale=self.locale)

    def short(self, value: float) -> str:
        """An axis label: 40, 2.5 (no trailing zeros), with the language's decimal mark."""
        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        """50% in English, 50 % in Slovak: CLDR's percent pattern."""
        return format_percent(share, locale=self.locale)

    def date(self, day: date | str) -> str:
        """25. 11. 2026 in Slovak, 25.11.2026 in German: CLDR's numeric date with the full year.

        English keeps ISO 8601 (2026-11-25) on purpose: CLDR's English is the US 11/25/2026,
        which a British author reads as a month that does not exist, or worse, a wrong one.
        """
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if self.locale.language == "en":
            return day.isoformat()
        return format_skeleton("yMd", day, locale=self.locale)

    def when(self, timestamp: float | None) -> str:
        """A moment in UTC, the server's fallback: dashboard.js rewrites it in local time.

        24-hour digits, the same in every language: the "UTC" beside them says what they are.
        """
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
