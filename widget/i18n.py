"""Message catalogues for what readers see, and the choice of language.

The embed gets only the catalogue of the language it asked for, already merged with the site's
own texts (site settings `texts` = {lang: {key: text}}), inside the summary response: shipping
six catalogues in embed.js would cost more than the whole 5 KB budget. The no-JS frame and the
server-rendered fragment use the same catalogues, so every surface says the same thing.

A value is either a string or, for texts that depend on a number, a dict of CLDR plural
categories ("one", "few", "other"); "{n}" stands for the number. The browser picks the category
with Intl.PluralRules; plural_category() below does the same for the server's pages.
"""

# French uses the typographic apostrophe (U+2019), which ruff would flag as ambiguous.
# ruff: noqa: RUF001
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Message = str | dict[str, str]
Catalogue = dict[str, Message]

DEFAULT_LANG = "en"
MAX_ASKS = 100  # as many as posts: one per widget at most

CATALOGUES: dict[str, Catalogue] = {
    "en": {
        "label": "Rate this article",
        "star": {"one": "{n} star", "other": "{n} stars"},
        "votes": {"one": "{n} vote", "other": "{n} votes"},
        "summary": "{avg} of 5 · {votes}",
        "empty": "No ratings yet",
        "thanks": "Thank you for rating!",
        "yours": "Your rating: {star}",
        "change": "Change",
        "withdraw": "Withdraw",
        "withdrawn": "Your rating has been removed.",
        "more": "Tell the author more",
        "ask": "What would have made it better?",
        "note": "Your note to the author",
        "left": {"one": "{n} character left", "other": "{n} characters left"},
        "send": "Send",
        "cancel": "Not now",
        "sent": "Thank you. The author will read your note.",
        "need_text": "Please write a few words first.",
        "too_many": "Too many attempts. Please wait a minute and try again.",
        "invalid": "The note could not be accepted. Please check it and try again.",
        "refused": "This page may not send ratings to the service.",
        "failed": "Something went wrong. Please try again.",
        "unavailable": "Ratings are unavailable right now.",
        "vote_invalid": "The rating could not be recorded. Please reload the page and try again.",
        "dist": "How readers rated it",
        "expired": "This form has expired. Please choose again.",
        "submit": "Send rating",
        "reason_unclear": "Hard to follow",
        "reason_incomplete": "Something is missing",
        "reason_outdated": "Out of date",
        "reason_incorrect": "Has mistakes",
        "reason_other": "Something else",
    },
    "sk": {
        "label": "Ohodnoťte tento článok",
        "star": {"one": "{n} hviezdička", "few": "{n} hviezdičky", "other": "{n} hviezdičiek"},
        "votes": {"one": "{n} hlas", "few": "{n} hlasy", "other": "{n} hlasov"},
        "summary": "{avg} z 5 · {votes}",
        "empty": "Zatiaľ bez hodnotenia",
        "thanks": "Ďakujeme za hodnotenie!",
        "yours": "Vaše hodnotenie: {star}",
        "change": "Zmeniť",
        "withdraw": "Zrušiť hodnotenie",
        "withdrawn": "Vaše hodnotenie sme odstránili.",
        "more": "Napíšte autorovi viac",
        "ask": "Čo by článok zlepšilo?",
        "note": "Vaša správa autorovi",
        "left": {
            "one": "Zostáva {n} znak",
            "few": "Zostávajú {n} znaky",
            "other": "Zostáva {n} znakov",
        },
        "send": "Odoslať",
        "cancel": "Teraz nie",
        "sent": "Ďakujeme. Autor si vašu správu prečíta.",
        "need_text": "Napíšte, prosím, aspoň pár slov.",
        "too_many": "Príliš veľa pokusov. Počkajte chvíľu a skúste to znova.",
        "invalid": "Správu sa nepodarilo prijať. Skontrolujte ju a skúste to znova.",
        "refused": "Táto stránka nemôže posielať hodnotenia.",
        "failed": "Niečo sa pokazilo. Skúste to, prosím, znova.",
        "unavailable": "Hodnotenia sú teraz nedostupné.",
        "vote_invalid": "Hodnotenie sa nepodarilo zaznamenať. Obnovte stránku a skúste to znova.",
        "dist": "Ako hodnotili čitatelia",
        "expired": "Platnosť formulára vypršala. Vyberte, prosím, znova.",
        "submit": "Odoslať hodnotenie",
        "reason_unclear": "Ťažko zrozumiteľné",
        "reason_incomplete": "Niečo chýba",
        "reason_outdated": "Zastarané",
        "reason_incorrect": "Obsahuje chyby",
        "reason_other": "Niečo iné",
    },
    "cs": {
        "label": "Ohodnoťte tento článek",
        "star": {"one": "{n} hvězdička", "few": "{n} hvězdičky", "other": "{n} hvězdiček"},
        "votes": {"one": "{n} hlas", "few": "{n} hlasy", "other": "{n} hlasů"},
        "summary": "{avg} z 5 · {votes}",
        "empty": "Zatím bez hodnocení",
        "thanks": "Děkujeme za hodnocení!",
        "yours": "Vaše hodnocení: {star}",
        "change": "Změnit",
        "withdraw": "Zrušit hodnocení",
        "withdrawn": "Vaše hodnocení jsme odstranili.",
        "more": "Napište autorovi víc",
        "ask": "Co by článek zlepšilo?",
        "note": "Vaše zpráva autorovi",
        "left": {"one": "Zbývá {n} znak", "few": "Zbývají {n} znaky", "other": "Zbývá {n} znaků"},
        "send": "Odeslat",
        "cancel": "Teď ne",
        "sent": "Děkujeme. Autor si vaši zprávu přečte.",
        "need_text": "Napište prosím alespoň pár slov.",
        "too_many": "Příliš mnoho pokusů. Chvíli počkejte a zkuste to znovu.",
        "invalid": "Zprávu se nepodařilo přijmout. Zkontrolujte ji a zkuste to znovu.",
        "refused": "Tato stránka nemůže posílat hodnocení.",
        "failed": "Něco se pokazilo. Zkuste to prosím znovu.",
        "unavailable": "Hodnocení jsou teď nedostupná.",
        "vote_invalid": "Hodnocení se nepodařilo zaznamenat. Obnovte stránku a zkuste to znovu.",
        "dist": "Jak hodnotili čtenáři",
        "expired": "Platnost formuláře vypršela. Vyberte prosím znovu.",
        "submit": "Odeslat hodnocení",
        "reason_unclear": "Těžko srozumitelné",
        "reason_incomplete": "Něco chybí",
        "reason_outdated": "Zastaralé",
        "reason_incorrect": "Obsahuje chyby",
        "reason_other": "Něco jiného",
    },
    "de": {
        "label": "Diesen Artikel bewerten",
        "star": {"one": "{n} Stern", "other": "{n} Sterne"},
        "votes": {"one": "{n} Stimme", "other": "{n} Stimmen"},
        "summary": "{avg} von 5 · {votes}",
        "empty": "Noch keine Bewertungen",
        "thanks": "Danke für Ihre Bewertung!",
        "yours": "Ihre Bewertung: {star}",
        "change": "Ändern",
        "withdraw": "Zurückziehen",
        "withdrawn": "Ihre Bewertung wurde entfernt.",
        "more": "Mehr an den Autor schreiben",
        "ask": "Was hätte den Artikel besser gemacht?",
        "note": "Ihre Nachricht an den Autor",
        "left": {"one": "Noch {n} Zeichen", "other": "Noch {n} Zeichen"},
        "send": "Senden",
        "cancel": "Jetzt nicht",
        "sent": "Danke. Der Autor wird Ihre Nachricht lesen.",
        "need_text": "Bitte schreiben Sie zuerst ein paar Worte.",
        "too_many": "Zu viele Versuche. Bitte warten Sie kurz und versuchen Sie es erneut.",
        "invalid": "Die Nachricht wurde nicht angenommen. Bitte prüfen Sie sie.",
        "refused": "Diese Seite darf keine Bewertungen senden.",
        "failed": "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
        "unavailable": "Bewertungen sind gerade nicht verfügbar.",
        "vote_invalid": "Die Bewertung wurde nicht angenommen. Bitte laden Sie die Seite neu.",
        "dist": "So haben Leser bewertet",
        "expired": "Das Formular ist abgelaufen. Bitte wählen Sie erneut.",
        "submit": "Bewertung senden",
        "reason_unclear": "Schwer verständlich",
        "reason_incomplete": "Etwas fehlt",
        "reason_outdated": "Veraltet",
        "reason_incorrect": "Enthält Fehler",
        "reason_other": "Etwas anderes",
    },
    "fr": {
        "label": "Notez cet article",
        "star": {"one": "{n} étoile", "other": "{n} étoiles"},
        "votes": {"one": "{n} vote", "other": "{n} votes"},
        "summary": "{avg} sur 5 · {votes}",
        "empty": "Pas encore de note",
        "thanks": "Merci pour votre note\u00a0!",
        "yours": "Votre note\u00a0: {star}",
        "change": "Modifier",
        "withdraw": "Retirer",
        "withdrawn": "Votre note a été retirée.",
        "more": "En dire plus à l’auteur",
        "ask": "Qu’est-ce qui aurait rendu l’article meilleur\u00a0?",
        "note": "Votre message à l’auteur",
        "left": {"one": "{n} caractère restant", "other": "{n} caractères restants"},
        "send": "Envoyer",
        "cancel": "Pas maintenant",
        "sent": "Merci. L’auteur lira votre message.",
        "need_text": "Écrivez d’abord quelques mots.",
        "too_many": "Trop de tentatives. Patientez un instant, puis réessayez.",
        "invalid": "Le message n’a pas pu être accepté. Vérifiez-le et réessayez.",
        "refused": "Cette page n’est pas autorisée à envoyer des notes.",
        "failed": "Un problème est survenu. Veuillez réessayer.",
        "unavailable": "Notes indisponibles pour le moment.",
        "vote_invalid": "La note n’a pas pu être enregistrée. Rechargez la page, puis réessayez.",
        "dist": "Répartition des notes",
        "expired": "Le formulaire a expiré. Veuillez choisir à nouveau.",
        "submit": "Envoyer la note",
        "reason_unclear": "Difficile à suivre",
        "reason_incomplete": "Il manque quelque chose",
        "reason_outdated": "Plus à jour",
        "reason_incorrect": "Contient des erreurs",
        "reason_other": "Autre chose",
    },
    "es": {
        "label": "Valora este artículo",
        "star": {"one": "{n} estrella", "other": "{n} estrellas"},
        "votes": {"one": "{n} voto", "other": "{n} votos"},
        "summary": "{avg} de 5 · {votes}",
        "empty": "Aún sin valoraciones",
        "thanks": "¡Gracias por tu valoración!",
        "yours": "Tu valoración: {star}",
        "change": "Cambiar",
        "withdraw": "Retirar",
        "withdrawn": "Tu valoración se ha eliminado.",
        "more": "Cuéntale más al autor",
        "ask": "¿Qué habría mejorado el artículo?",
        "note": "Tu mensaje para el autor",
        "left": {"one": "Queda {n} carácter", "other": "Quedan {n} caracteres"},
        "send": "Enviar",
        "cancel": "Ahora no",
        "sent": "Gracias. El autor leerá tu mensaje.",
        "need_text": "Escribe primero unas palabras.",
        "too_many": "Demasiados intentos. Espera un momento y vuelve a intentarlo.",
        "invalid": "No se pudo aceptar el mensaje. Revísalo y vuelve a intentarlo.",
        "refused": "Esta página no puede enviar valoraciones.",
        "failed": "Algo salió mal. Vuelve a intentarlo.",
        "unavailable": "Valoraciones no disponibles por ahora.",
        "vote_invalid": "No se pudo registrar la valoración. Recarga la página y reinténtalo.",
        "dist": "Cómo lo valoraron los lectores",
        "expired": "El formulario ha caducado. Vuelve a elegir, por favor.",
        "submit": "Enviar valoración",
        "reason_unclear": "Difícil de seguir",
        "reason_incomplete": "Falta algo",
        "reason_outdated": "Desactualizado",
        "reason_incorrect": "Contiene errores",
        "reason_other": "Otra cosa",
    },
}

LANGUAGES = tuple(CATALOGUES)
# Languages whose plural has a separate form for 2-4 (CLDR "few").
_FEW_2_TO_4 = {"sk", "cs"}
_TAG_RE = re.compile(r"[A-Za-z]{2,3}")


def choose(*candidates: str | None) -> str:
    """The first supported language among tags such as "sk-SK" or an Accept-Language value."""
    for candidate in candidates:
        for part in (candidate or "").split(","):
            match = _TAG_RE.match(part.strip())
            if match and match.group().lower() in CATALOGUES:
                return match.group().lower()
    return DEFAULT_LANG


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of a whole number, for the languages we ship."""
    if lang in _FEW_2_TO_4:
        return "one" if n == 1 else "few" if 2 <= n <= 4 else "other"
    if lang == "fr":
        return "one" if n in (0, 1) else "other"
    return "one" if n == 1 else "other"


def messages(lang: str, overrides: Mapping[str, Any] | None = None) -> Catalogue:
    """The catalogue of `lang`, with the site's texts for that language laid over it.

    Overrides that are not strings (or dicts of strings) are ignored rather than trusted: site
    settings are edited by people, and a stray number must not break every widget.
    """
    merged: Catalogue = dict(CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANG]))
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
        category = plural_category(lang, n or 0)
        message = message.get(category) or message.get("other") or next(iter(message.values()))
    if n is not None:
        values["n"] = str(n)
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message


def format_average(lang: str, average: float) -> str:
    """4.3 in English, 4,3 in the other shipped languages; one decimal, like the embed."""
    shown = f"{average:.1f}"
    return shown if lang == "en" else shown.replace(".", ",")


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
