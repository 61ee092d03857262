"""The .po catalogues: complete against English, plural forms by CLDR, and one file per language.

`problems()` reads a locales directory as a translator's tool would (every entry, fuzzy and
empty ones too) and names what a reader or an author would see go wrong: an English text in a
translated page, a "{n}" left unfilled, a wrong plural form. The shipped files must have none;
the tests after it break a copy on purpose to show that each kind of mistake is caught.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from tests.conftest import ROOT
from widget import i18n

PLACEHOLDER = re.compile(r"\{(\w+)\}")
Entries = dict[tuple[str, str], list[str] | str]  # (context, key) -> text, or its plural forms


def entries(path: Path) -> tuple[Entries, set[tuple[str, str]], str]:
    """Every entry of a file, the fuzzy ones, and its Plural-Forms header."""
    with path.open("rb") as handle:
        po = read_po(handle)
    found: Entries = {}
    fuzzy = set()
    for entry in po:
        if not entry.id:
            continue
        if isinstance(entry.id, tuple):
            key = (entry.context or "", entry.id[0])
            found[key] = list(entry.string)
        else:
            key = (entry.context or "", entry.id)
            found[key] = str(entry.string)
        if entry.fuzzy:
            fuzzy.add(key)
    return found, fuzzy, str(po.plural_forms)


def names(text: list[str] | str) -> set[str]:
    forms = text if isinstance(text, list) else [text]
    return {name for form in forms for name in PLACEHOLDER.findall(form)}


def problems(directory: Path) -> list[str]:
    english, _, _ = entries(directory / "en.po")
    found: list[str] = []
    for path in sorted(directory.glob("*.po")):
        lang = path.stem
        mine, fuzzy, header = entries(path)
        locale = Locale.parse(lang)
        forms = i18n.whole_number_forms(locale)
        count, _, expression = header.partition("; plural=")
        pick = gettext.c2py(expression.rstrip(";"))
        rule = locale.plural_form
        wrong = [
            n for n in i18n.WHOLE_NUMBERS if pick(n) >= len(forms) or forms[pick(n)] != rule(n)
        ]
        if count != f"nplurals={len(forms)}":
            found.append(f"{lang}: Plural-Forms says {count}, {lang} needs {', '.join(forms)}")
        elif wrong:
            found.append(f"{lang}: Plural-Forms gives {wrong[0]} the wrong form")
        for key in sorted(set(english) - set(mine)):
            found.append(f"{lang}: lacks {key[0]} {key[1]}")
        for key in sorted(set(mine) - set(english)):
            found.append(f"{lang}: has {key[0]} {key[1]}, which English lacks")
        for key in sorted(fuzzy):
            found.append(f"{lang}: {key[0]} {key[1]} is fuzzy (nobody checked it)")
        for key, text in sorted(mine.items()):
            if key not in english:
                continue
            where = f"{lang}: {key[0]} {key[1]}"
            if isinstance(english[key], list) != isinstance(text, list):
                kind = "plural" if isinstance(english[key], list) else "singular"
                found.append(f"{where} must be {kind}, as in English")
            forms_written = text if isinstance(text, list) else [text]
            if not all(form.strip() for form in forms_written):
                found.append(f"{where} is not written")
            if names(text) != names(english[key]):
                found.append(
                    f"{where} has {sorted(names(text))}, English {sorted(names(english[key]))}"
                )
    return found


def test_the_shipped_catalogues_are_complete() -> None:
    assert problems(i18n.LOCALES_DIR) == []


def test_the_languages_are_the_files_present_english_first() -> None:
    files = sorted(path.stem for path in i18n.LOCALES_DIR.glob("*.po"))
    assert set(files) == {"en", "sk", "cs", "de", "fr", "es"}
    others = [lang for lang in files if lang != "en"]
    assert list(i18n.LANGUAGES) == ["en", *others]


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("en", ("one", "other")),
        ("sk", ("one", "few", "other")),
        ("cs", ("one", "few", "other")),
        ("de", ("one", "other")),
        ("fr", ("one", "many", "other")),  # many: exact millions, "1 000 000 de votes"
        ("es", ("one", "many", "other")),
    ],
)
def test_plural_forms_are_those_cldr_gives_whole_numbers(lang: str, forms: tuple[str, ...]) -> None:
    assert i18n.SHIPPED[lang].forms == forms


def test_french_and_spanish_say_millions_with_de() -> None:
    million = 10**6
    assert (
        i18n.text(i18n.CATALOGUES["fr"], "votes", million, lang="fr")
        == "1\u202f000\u202f000 de votes"
    )
    assert i18n.text(i18n.CATALOGUES["es"], "votes", million, lang="es") == "1.000.000 de votos"
    assert i18n.text(i18n.CATALOGUES["fr"], "votes", 1001, lang="fr") == "1\u202f001 votes"


def broken_copy(tmp_path: Path, lang: str, old: str, new: str) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    path = copy / f"{lang}.po"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_a_missing_key_is_caught(tmp_path: Path) -> None:
    copy = broken_copy(
        tmp_path,
        "de",
        'msgctxt "widget"\nmsgid "thanks"\n',
        'msgctxt "widget"\nmsgid "thanks_typo"\n',
    )
    assert problems(copy) == [
        "de: lacks widget thanks",
        "de: has widget thanks_typo, which English lacks",
    ]


def test_a_changed_placeholder_is_caught(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "sk", '"{avg} z 5 · {votes}"', '"{avg} z 5 · {hlasy}"')
    assert problems(copy) == ["sk: widget summary has ['avg', 'hlasy'], English ['avg', 'votes']"]


def test_a_missing_plural_form_is_caught(tmp_path: Path) -> None:
    copy = broken_copy(
        tmp_path, "cs", 'msgstr[1] "{n} hlasy"\nmsgstr[2] "{n} hlasů"\n', 'msgstr[1] "{n} hlasy"\n'
    )
    assert problems(copy) == ["cs: widget votes is not written"]


def test_an_untranslated_text_is_caught_and_shows_in_english(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "es", 'msgstr "Enviar valoración"', 'msgstr ""')
    assert problems(copy) == ["es: widget submit is not written"]
    spanish = i18n.read_languages(copy)["es"].catalogues["widget"]
    assert "submit" not in spanish  # as in gettext, the English text stands in


def test_a_fuzzy_text_is_caught_and_not_shown(tmp_path: Path) -> None:
    entry = 'msgctxt "widget"\nmsgid "send"\n'
    copy = broken_copy(tmp_path, "es", entry, "#, fuzzy\n" + entry)
    assert problems(copy) == ["es: widget send is fuzzy (nobody checked it)"]
    assert "send" not in i18n.read_languages(copy)["es"].catalogues["widget"]


def test_a_plural_header_that_disagrees_with_cldr_is_caught(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "fr", "plural=(n == 0 || n == 1) ? 0 :", "plural=(n == 1) ? 0 :")
    assert problems(copy) == ["fr: Plural-Forms gives 0 the wrong form"]


def test_a_header_with_the_wrong_number_of_forms_stops_start_up(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "sk", "nplurals=3;", "nplurals=2;")
    with pytest.raises(ValueError, match="Slovak has 3 forms for whole numbers"):
        i18n.read_languages(copy)


POLISH = """\
msgid ""
msgstr ""
"Language: pl\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n == 1) ? 0 : (n % 10 >= 2 && n % 10 <= 4 && "
"(n % 100 < 12 || n % 100 > 14)) ? 1 : 2;\\n"

msgctxt "widget"
msgid "votes"
msgid_plural "votes"
msgstr[0] "{n} głos"
msgstr[1] "{n} głosy"
msgstr[2] "{n} głosów"

msgctxt "dashboard"
msgid "lang_name"
msgstr "Polski"
"""
OFFERED = """
import json
from widget import i18n
from widget.http.dashboard import messages
print(json.dumps({
    "from": i18n.__file__,
    "languages": i18n.LANGUAGES,
    "chosen": i18n.choose("pl-PL,pl;q=0.9,en;q=0.8"),
    "votes": [i18n.text(i18n.messages("pl"), "votes", n, lang="pl") for n in (1, 3, 5, 22)],
    "thanks": i18n.messages("pl")["thanks"],
    "switch": messages.CATALOGUES["pl"]["lang_name"],
    "dashboard": messages.Texts("pl").number(12345),
}))
"""


def test_a_new_language_is_one_more_file(tmp_path: Path) -> None:
    """A copy of the package with pl.po added: offered, negotiated, with Polish plural rules and
    number formats from Babel, and English wherever Polish has no text yet."""
    shutil.copytree(
        ROOT / "widget", tmp_path / "widget", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "widget" / "locales" / "pl.po").write_text(POLISH, encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-c", OFFERED],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(shown.stdout)
    assert found["from"] == str(tmp_path / "widget" / "i18n.py")
    assert found["languages"] == ["en", "cs", "de", "es", "fr", "pl", "sk"]
    assert found["chosen"] == "pl"
    assert found["votes"] == ["1 głos", "3 głosy", "5 głosów", "22 głosy"]
    assert found["thanks"] == "Thank you for rating!"  # not translated yet: English
    assert found["switch"] == "Polski"
    assert found["dashboard"] == "12\u00a0345"
