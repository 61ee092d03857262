"""The reader-facing catalogues: complete in every language, and the language choice."""

from __future__ import annotations

import pytest

from widget import i18n

ENGLISH = i18n.CATALOGUES["en"]


def test_the_six_languages_are_shipped() -> None:
    assert set(i18n.LANGUAGES) == {"en", "sk", "cs", "de", "fr", "es"}


# Complete catalogues, placeholders and plural forms: tests/test_catalogues_complete.py.


# Words that are spelled the same in English and the language, checked by a speaker.
SAME_AS_ENGLISH = {("fr", "votes")}


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_other_languages_are_translated_not_copied(lang: str) -> None:
    catalogue = i18n.CATALOGUES[lang]
    same = [k for k, v in catalogue.items() if v == ENGLISH[k] and (lang, k) not in SAME_AS_ENGLISH]
    assert not same, f"{lang} still has English texts for {same}"


def test_slovak_and_czech_plurals_read_naturally() -> None:
    sk, cs = i18n.CATALOGUES["sk"], i18n.CATALOGUES["cs"]
    assert [i18n.text(sk, "star", n, lang="sk") for n in (1, 2, 5)] == [
        "1 hviezdička",
        "2 hviezdičky",
        "5 hviezdičiek",
    ]
    assert [i18n.text(sk, "votes", n, lang="sk") for n in (1, 3, 27)] == [
        "1 hlas",
        "3 hlasy",
        "27 hlasov",
    ]
    assert i18n.text(cs, "votes", 5, lang="cs") == "5 hlasů"
    assert i18n.text(sk, "left", 4, lang="sk") == "Zostávajú 4 znaky"


def test_french_counts_zero_as_singular() -> None:
    fr = i18n.CATALOGUES["fr"]
    assert i18n.text(fr, "votes", 0, lang="fr") == "0 vote"
    assert i18n.text(fr, "votes", 2, lang="fr") == "2 votes"


def test_choose_falls_through_candidates_in_order() -> None:
    assert i18n.choose(None, "fr-CA,fr") == "fr"
    assert i18n.choose("xx", "es") == "es"


def test_site_texts_override_only_their_language_and_only_with_text() -> None:
    overrides = {
        "en": {"thanks": "Cheers!", "votes": {"one": "{n} reader", "other": "{n} readers"}},
        "sk": {"thanks": 42, "label": "Ako sa vám páčil článok?"},
    }
    en = i18n.messages("en", overrides)
    assert en["thanks"] == "Cheers!"
    assert i18n.text(en, "votes", 3, lang="en") == "3 readers"
    sk = i18n.messages("sk", overrides)
    assert sk["thanks"] == i18n.CATALOGUES["sk"]["thanks"]  # a number is not a text
    assert sk["label"] == "Ako sa vám páčil článok?"
    assert i18n.messages("de", overrides) == i18n.CATALOGUES["de"]


def test_average_uses_the_decimal_comma_where_readers_expect_it() -> None:
    assert i18n.format_average("en", 4.25) == "4.2"
    assert i18n.format_average("sk", 4.3) == "4,3"


def test_reason_labels_fall_back_to_the_sites_own_name() -> None:
    assert i18n.reason_label(ENGLISH, "outdated") == "Out of date"
    assert i18n.reason_label(ENGLISH, "too_long") == "too long"


def test_client_texts_send_each_chosen_catalogue_once() -> None:
    found = i18n.client_texts(["sk-SK", "sk", "en-US,en"], {"sk": {"thanks": "Vďaka!"}})
    assert found["chosen"] == ["sk", "sk", "en"]
    assert set(found["languages"]) == {"sk", "en"}
    assert found["languages"]["sk"]["thanks"] == "Vďaka!"


# Texts the widget added for failures: each written out in every language, not borrowed.
FAILURE_KEYS = ("unavailable", "vote_invalid")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("key", FAILURE_KEYS)
def test_failure_texts_exist_in_every_language(lang: str, key: str) -> None:
    found = i18n.CATALOGUES[lang].get(key)
    assert isinstance(found, str) and found.strip(), f"{lang}.{key} is missing"
    if lang != "en":
        assert found != ENGLISH[key], f"{lang}.{key} is still English"
    # A vote's refusal has its own words, not the feedback note's.
    assert i18n.CATALOGUES[lang]["vote_invalid"] != i18n.CATALOGUES[lang]["invalid"]
