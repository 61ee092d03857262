"""Reading and checking a site's settings form: text in, clean settings or a list of problems.

Pure functions, so every rule is unit-testable. The stored shape (sites.settings JSON):
threshold (int 1-5), reasons (list of slugs), texts ({lang: {key: text}}), schema (schema.org
type or None), hide_average (bool), languages (list of tags); origins live in sites.origins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from widget import i18n, site_texts
from widget.http.dashboard.messages import ENGLISH, Texts
from widget.models import DEFAULT_REASONS, LANG_RE, REASON_RE, SITE_RE
from widget.numbers import parse_int

# Google shows review stars (its "review snippet") for an AggregateRating on some types only:
# products, software, recipes, courses, books, how-tos among those offered here. For the
# article types it reads the rating and shows no stars, so they come second, under a label
# that says so, rather than first as the natural choice for a blog.
STAR_TYPES = ("Product", "SoftwareApplication", "Recipe", "Course", "Book", "HowTo")
NO_STAR_TYPES = (
    "Article",
    "BlogPosting",
    "NewsArticle",
    "TechArticle",
    "ScholarlyArticle",
    "CreativeWork",
)
SCHEMA_TYPES = STAR_TYPES + NO_STAR_TYPES
SCHEMA_GROUPS = (("schema_stars", STAR_TYPES), ("schema_no_stars", NO_STAR_TYPES))
MAX_ORIGINS = 50
MAX_REASONS = 12
MAX_LANGUAGES = 20
TEXT_MAX = 300
NAME_MAX = 100
RESERVED_SLUGS = ("new",)  # /dashboard/sites/new is the creation form
_SPLIT = re.compile(r"[\s,]+")
_TEXT_LINE = re.compile(r"^([a-z0-9_]+)(?:\.(zero|one|two|few|many|other))?\s*=\s*(.*)$")


@dataclass
class SiteForm:
    name: str = ""
    origins: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def text_keys(reasons: list[str]) -> list[str]:
    """Keys a site may override: the shipped catalogue's, plus a label per own reason."""
    keys = list(i18n.CATALOGUES[i18n.DEFAULT_LANG])
    keys += [f"reason_{r}" for r in reasons if f"reason_{r}" not in keys]
    return keys


def parse_origins(raw: str, t: Texts = ENGLISH) -> tuple[list[str], str | None]:
    origins: list[str] = []
    for part in _SPLIT.split(raw.strip()):
        if not part:
            continue
        parts = urlsplit(part)
        bare = parts.path in ("", "/") and not parts.query and not parts.fragment
        if parts.scheme not in ("http", "https") or not parts.netloc or not bare:
            return [], t("problem_origin", value=repr(part))
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        return [], t("problem_origins_max", max=MAX_ORIGINS)
    return origins, None


def parse_texts(
    raw_by_lang: dict[str, str], allowed: list[str], t: Texts = ENGLISH
) -> tuple[dict[str, dict[str, Any]], str | None]:
    texts: dict[str, dict[str, Any]] = {}
    for lang, raw in raw_by_lang.items():
        if not LANG_RE.match(lang):
            return {}, t("problem_lang_tag", value=repr(lang))
        found: dict[str, Any] = {}
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            match = _TEXT_LINE.match(line.strip())
            if not match:
                return {}, t("problem_text_line", lang=lang, line=number)
            key, plural, value = match.group(1), match.group(2), match.group(3).strip()
            if key not in allowed:
                return {}, t("problem_text_key", lang=lang, line=number, value=repr(key))
            if not value or len(value) > TEXT_MAX:
                return {}, t("problem_text_length", lang=lang, line=number, max=TEXT_MAX)
            if plural:
                existing = found.get(key)
                found[key] = {**(existing if isinstance(existing, dict) else {}), plural: value}
            else:
                found[key] = value
        for key, value in found.items():
            # Forms per language and placeholders: what the widget needs to show the text.
            words, values = site_texts.problem(lang, key, value)
            if words:
                return {}, t(words, None, **values)
        if found:
            texts[lang] = found
    return texts, None


def texts_as_lines(texts: dict[str, Any], lang: str) -> str:
    lines = []
    for key, value in (texts.get(lang) or {}).items():
        if isinstance(value, dict):
            lines += [f"{key}.{form} = {text}" for form, text in value.items()]
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines)


def parse_site_form(
    values: dict[str, str], text_fields: dict[str, str], t: Texts = ENGLISH
) -> SiteForm:
    """`values`: the form's simple fields; `text_fields`: {lang: lines} of text overrides."""
    form = SiteForm()
    name = values.get("name", "").strip()
    if not name or len(name) > NAME_MAX:
        form.problems["name"] = t("problem_name", max=NAME_MAX)
    form.name = name[:NAME_MAX]
    form.origins, problem = parse_origins(values.get("origins", ""), t)
    if problem:
        form.problems["origins"] = problem
    threshold = parse_int(values.get("threshold", "2"), field="threshold", low=1, high=5, default=0)
    if not threshold:
        form.problems["threshold"] = t("problem_threshold")
    reasons = [r.lower() for r in _SPLIT.split(values.get("reasons", "").strip()) if r]
    reasons = list(dict.fromkeys(reasons))
    bad = [r for r in reasons if not REASON_RE.match(r)]
    if bad:
        form.problems["reasons"] = t("problem_reason", value=repr(bad[0]))
    elif len(reasons) > MAX_REASONS:
        form.problems["reasons"] = t("problem_reasons_max", max=MAX_REASONS)
    languages = [lang.lower() for lang in _SPLIT.split(values.get("languages", "").strip()) if lang]
    languages = list(dict.fromkeys(languages))
    if any(not LANG_RE.match(lang) for lang in languages) or len(languages) > MAX_LANGUAGES:
        form.problems["languages"] = t("problem_languages")
    schema = values.get("schema", "")
    if schema and schema not in SCHEMA_TYPES:
        form.problems["schema"] = t("problem_schema")
    texts, problem = parse_texts(text_fields, text_keys(reasons or list(DEFAULT_REASONS)), t)
    if problem:
        form.problems["texts"] = problem
    form.settings = {
        "threshold": threshold or 2,
        "reasons": reasons,
        "texts": texts,
        "schema": schema or None,
        "hide_average": values.get("hide_average") == "on",
        "languages": languages,
    }
    return form


def new_site_problems(slug: str, name: str, t: Texts = ENGLISH) -> dict[str, str]:
    problems = {}
    if not SITE_RE.match(slug) or slug in RESERVED_SLUGS:
        problems["slug"] = t("problem_slug")
    if not name.strip() or len(name.strip()) > NAME_MAX:
        problems["name"] = t("problem_name", max=NAME_MAX)
    return problems
