"""Validation rules, as a client of the API meets them."""

from __future__ import annotations

import pytest

from widget.errors import InvalidField
from widget.models import (
    Site,
    Summary,
    clean_text,
    parse_feedback,
    parse_posts,
    parse_vote,
    rating_value,
    voter_token,
)

TOKEN = "abcdefghijklmnop"


def test_summary_average_is_rounded_and_zero_without_votes() -> None:
    assert Summary("s", "p").average == 0.0
    assert Summary("s", "p", 3, 13, (0, 0, 0, 2, 1)).average == 4.33


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "4", True, None, [4]])
def test_rating_must_be_whole_number_1_to_5(value: object) -> None:
    with pytest.raises(InvalidField) as caught:
        rating_value(value)
    assert caught.value.field == "rating"


@pytest.mark.parametrize("value", ["short", "x" * 65, "has space in it!!", "ünïcode-token-000", 42])
def test_voter_token_shape(value: object) -> None:
    with pytest.raises(InvalidField):
        voter_token(value)
    assert voter_token("A" * 16) == "A" * 16


def test_vote_defaults_site_and_cleans_title() -> None:
    vote = parse_vote({"post": " p1 ", "rating": 5, "voter": TOKEN, "title": " Hi\x00 there "})
    assert (vote.site, vote.post, vote.title) == ("default", "p1", "Hi there")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": 5, "voter": TOKEN}, "post"),
        ({"post": "", "rating": 5, "voter": TOKEN}, "post"),
        ({"post": "x" * 201, "rating": 5, "voter": TOKEN}, "post"),
        ({"post": "p", "rating": 5, "voter": TOKEN, "site": "Bad Site"}, "site"),
        ({"post": "p", "rating": 5, "voter": TOKEN, "url": "javascript:alert(1)"}, "url"),
        ({"post": "p", "rating": 5, "voter": TOKEN, "title": 7}, "title"),
    ],
)
def test_vote_errors_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_vote(data)
    assert caught.value.field == field


def test_feedback_reason_must_belong_to_site() -> None:
    site = Site("default", "Default", settings={"reasons": ["typo"]})
    item = parse_feedback({"post": "p", "voter": TOKEN, "text": "a\nb", "reason": "typo"}, site)
    assert item.text == "a\nb"
    with pytest.raises(InvalidField) as caught:
        parse_feedback({"post": "p", "voter": TOKEN, "text": "t", "reason": "other"}, site)
    assert caught.value.field == "reason"


def test_feedback_text_required_and_limited() -> None:
    site = Site("default", "Default")
    for text in ["", "   ", "x" * 2001]:
        with pytest.raises(InvalidField) as caught:
            parse_feedback({"post": "p", "voter": TOKEN, "text": text}, site)
        assert caught.value.field == "text"


def test_posts_are_deduplicated_and_capped() -> None:
    assert parse_posts(["a", "b", "a"]) == ["a", "b"]
    with pytest.raises(InvalidField):
        parse_posts([])
    with pytest.raises(InvalidField):
        parse_posts([str(i) for i in range(101)])


def test_clean_text_normalizes_unicode() -> None:
    assert clean_text("e\u0301", 5, "t") == "\u00e9"


def test_origin_allowlist() -> None:
    open_site = Site("a", "A")
    closed = Site("b", "B", origins=("https://blog.example",))
    assert open_site.allows_origin("https://anything.example")
    assert closed.allows_origin("https://blog.example")
    assert not closed.allows_origin("https://evil.example")
    assert closed.allows_origin(None)
