"""Property-based tests of widget/models.py: any input is either cleaned or refused by name."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from widget.errors import InvalidField
from widget.models import (
    FEEDBACK_MAX,
    POST_MAX,
    SITE_RE,
    TITLE_MAX,
    VOTER_RE,
    Site,
    clean_text,
    parse_feedback,
    parse_posts,
    parse_vote,
    parse_withdraw,
    rating_value,
    voter_token,
)

# Per test, not a global profile: other modules' property tests keep their own settings.
thorough = settings(deadline=None, max_examples=300)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
tokens = st.from_regex(VOTER_RE, fullmatch=True)
slugs = st.from_regex(SITE_RE, fullmatch=True)
# Text as readers and attackers type it: any code point, with controls and combining marks.
texts = st.text(st.characters(codec="utf-8"), max_size=60)
# ...and text that passes, so that the checks after the first field get exercised too.
readable = st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=40)


def is_clean(text: str) -> bool:
    return (
        text == text.strip()
        and unicodedata.is_normalized("NFC", text)
        and all(unicodedata.category(ch)[0] != "C" or ch in "\n\t" for ch in text)
    )


@thorough
@given(texts)
@example("e\x00\u0301")  # a control between a letter and its accent
@example(" \u200b ")
def test_clean_text_is_clean_and_idempotent(value: str) -> None:
    cleaned = clean_text(value, 1000, "text", multiline=True)
    assert is_clean(cleaned)
    assert clean_text(cleaned, 1000, "text", multiline=True) == cleaned
    single = clean_text(value, 1000, "title")
    assert "\n" not in single and "\t" not in single


@thorough
@given(texts, st.integers(min_value=0, max_value=30))
def test_clean_text_refuses_only_what_is_too_long(value: str, limit: int) -> None:
    try:
        cleaned = clean_text(value, limit, "title")
    except InvalidField as error:
        assert error.field == "title"
        assert len(clean_text(value, 10_000, "title")) > limit
    else:
        assert len(cleaned) <= limit


@thorough
@given(json_values)
def test_rating_accepts_exactly_whole_numbers_one_to_five(value: Any) -> None:
    expected = type(value) is int and 1 <= value <= 5
    try:
        assert rating_value(value) == value and expected
    except InvalidField as error:
        assert not expected and error.field == "rating"


@thorough
@given(json_values | tokens)
def test_voter_token_accepts_exactly_the_documented_shape(value: Any) -> None:
    expected = isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", value) is not None
    try:
        assert voter_token(value) == value and expected
    except InvalidField as error:
        assert not expected and error.field == "voter"


vote_bodies = st.fixed_dictionaries(
    {},
    optional={
        "site": slugs | json_values,
        "post": readable | texts | json_values,
        "voter": tokens | json_values,
        "rating": st.integers(min_value=0, max_value=6) | json_values,
        "title": texts | json_values,
        "url": st.sampled_from(["https://a.example/x", "ftp://a", "https://", ""]) | texts,
    },
)


@thorough
@given(vote_bodies)
def test_parse_vote_cleans_or_names_the_bad_field(body: dict[str, Any]) -> None:
    try:
        vote = parse_vote(body)
    except InvalidField as error:
        assert error.field in {"site", "post", "voter", "rating", "title", "url"}
        assert error.message
        return
    assert SITE_RE.fullmatch(vote.site)
    assert 0 < len(vote.post) <= POST_MAX and is_clean(vote.post) and "\n" not in vote.post
    assert VOTER_RE.fullmatch(vote.voter)
    assert type(vote.rating) is int and 1 <= vote.rating <= 5
    assert vote.title is None or (0 < len(vote.title) <= TITLE_MAX and is_clean(vote.title))
    assert vote.url is None or vote.url.startswith(("http://", "https://"))


@thorough
@given(vote_bodies)
def test_parse_withdraw_agrees_with_parse_vote_on_shared_fields(body: dict[str, Any]) -> None:
    try:
        site, post, token = parse_withdraw(body)
    except InvalidField as error:
        assert error.field in {"site", "post", "voter"}
        return
    assert SITE_RE.fullmatch(site) and VOTER_RE.fullmatch(token) and 0 < len(post) <= POST_MAX


SITE = Site(slug="blog", name="Blog")


@thorough
@given(
    st.fixed_dictionaries(
        {"post": readable | texts, "voter": tokens, "text": readable | texts},
        optional={
            "rating": st.integers(min_value=0, max_value=6) | json_values,
            "reason": st.sampled_from(SITE.reasons) | json_values,
            "lang": st.sampled_from(["en", "sk-SK", "de-CH-1996", "x", "en_US"]) | json_values,
            "hp": json_values,
            "open_ms": st.integers() | json_values,
        },
    )
)
@example({"post": "p", "voter": "a" * 16, "text": "fine", "hp": None})
@example({"post": "p", "voter": "a" * 16, "text": "fine", "hp": 0})
@example({"post": "p", "voter": "a" * 16, "text": "fine", "hp": ""})
def test_parse_feedback_cleans_or_names_the_bad_field(body: dict[str, Any]) -> None:
    try:
        item = parse_feedback(body, SITE)
    except InvalidField as error:
        assert error.field in {"post", "voter", "text", "rating", "reason", "lang", "open_ms"}
        return
    assert item.site == "blog"
    assert 0 < len(item.text) <= FEEDBACK_MAX and is_clean(item.text)
    assert item.reason is None or item.reason in SITE.reasons
    assert item.lang is None or item.lang == item.lang.lower()
    assert isinstance(item.honeypot, str)
    # A honeypot filled with anything at all (not only a string) must count as filled.
    assert bool(item.honeypot) == (body.get("hp", "") not in ("", None))


@thorough
@given(st.lists(texts, max_size=120))
def test_parse_posts_keeps_order_without_duplicates(values: list[str]) -> None:
    try:
        posts = parse_posts(values)
    except InvalidField as error:
        assert error.field == "post"
        return
    assert 1 <= len(posts) <= 100
    assert len(set(posts)) == len(posts)
    cleaned = [clean_text(v, POST_MAX, "post") for v in values]
    assert posts == list(dict.fromkeys(cleaned))


@thorough
@given(st.sampled_from(["https://Blog.Example", "https://blog.example/", "HTTPS://BLOG.EXAMPLE"]))
def test_origin_match_ignores_case_and_trailing_slash(origin: str) -> None:
    site = Site(slug="blog", name="Blog", origins=("https://blog.example",))
    assert site.allows_origin(origin)
    assert not site.allows_origin(origin.lower().replace("blog", "b1og"))
