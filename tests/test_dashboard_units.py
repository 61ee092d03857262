"""Pure parts of the dashboard: sessions, throttling, charts, settings forms, the score."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from tests.dashboard_support import Seeder
from widget import store
from widget.guard import auth
from widget.http.dashboard import charts, site_form
from widget.http.dashboard.exports import csv_cell
from widget.settings import Settings
from widget.store.sqlite.writer import connect_reader


def test_session_round_trip_and_forgery() -> None:
    signer = auth.SessionSigner("secret-one")
    session = auth.new_session(logged_in=True)
    loaded = signer.loads(signer.dumps(session))
    assert loaded is not None and loaded.sid == session.sid and loaded.nonce == session.nonce
    assert auth.SessionSigner("secret-two").loads(signer.dumps(session)) is None
    assert signer.loads("garbage") is None and signer.loads(None) is None


def test_session_expires_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = auth.SessionSigner("secret")
    cookie = signer.dumps(auth.new_session(1))
    monkeypatch.setattr(auth, "SESSION_IDLE_SECONDS", -1)
    assert signer.loads(cookie) is None


def test_session_has_an_absolute_lifetime() -> None:
    # Kept on the server now (the session's row); tests/test_sessions_expiry.py goes through HTTP.
    now = 1_000_000_000.0
    assert auth.session_alive(created_at=now - 3600, seen_at=now - 60, now=now)
    month = auth.SESSION_ABSOLUTE_SECONDS
    assert not auth.session_alive(created_at=now - month - 1, seen_at=now - 60, now=now)
    idle = auth.SESSION_IDLE_SECONDS
    assert not auth.session_alive(created_at=now - idle - 9, seen_at=now - idle - 1, now=now)


def test_csrf_token_is_bound_to_the_session() -> None:
    signer = auth.SessionSigner("secret")
    mine, theirs = auth.new_session(), auth.new_session()
    assert signer.csrf_valid(mine, signer.csrf_token(mine))
    assert not signer.csrf_valid(mine, signer.csrf_token(theirs))
    assert not signer.csrf_valid(None, signer.csrf_token(mine))
    assert not signer.csrf_valid(mine, None)


def test_throttle_counts_per_account_and_address_in_a_window() -> None:
    throttle = auth.LoginThrottle(per_account=3, per_address=5, window=60)
    for n in range(3):
        assert throttle.retry_after("1.2.3.4", "alice", now=100 + n) == 0
        throttle.failed("1.2.3.4", "alice", now=100 + n)
    assert throttle.retry_after("1.2.3.4", "alice", now=103) == 58
    assert throttle.retry_after("1.2.3.4", "bob", now=103) == 0
    throttle.failed("1.2.3.4", "bob", now=104)
    throttle.failed("1.2.3.4", "carol", now=104)
    assert throttle.retry_after("1.2.3.4", "dave", now=105) > 0  # five from one address
    assert throttle.retry_after("5.6.7.8", "dave", now=105) == 0
    assert throttle.retry_after("1.2.3.4", "alice", now=165) == 0  # the window slid past
    throttle.failed("1.2.3.4", "bob", now=166)
    throttle.succeeded("bob")
    assert throttle.retry_after("9.9.9.9", "bob", now=167) == 0


def test_throttle_forgets_the_oldest_keys_first() -> None:
    throttle = auth.LoginThrottle(per_account=1, max_keys=4)
    for n in range(10):
        throttle.failed(f"10.0.0.{n}", f"user{n}", now=100)
    assert throttle.retry_after("10.0.0.9", "user9", now=101) > 0
    assert throttle.retry_after("10.0.0.0", "user0", now=101) == 0


def test_setup_token_is_single_use_and_expires() -> None:
    token = auth.SetupToken.fresh()
    assert token.accepts(token.token) and not token.accepts("other") and not token.accepts(None)
    token.used = True
    assert not token.accepts(token.token)
    expired = auth.SetupToken("t", expires=0)
    assert not expired.accepts("t")


def test_votes_chart_fills_missing_days_and_groups_long_ranges() -> None:
    series = [store.DayCount("2026-01-02", 4, 16), store.DayCount("2026-01-05", 2, 6)]
    chart = charts.votes_per_day(series, date(2026, 1, 1), date(2026, 1, 7), "Votes")
    assert [row[1] for row in chart.rows] == ["0", "4", "0", "0", "2", "0", "0"]
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.label == "2026-01-02"
    assert "6 votes from 2026-01-01 to 2026-01-07" in chart.desc
    long = charts.votes_per_day(series, date(2025, 1, 1), date(2026, 1, 7), "Votes")
    assert len(long.bars) <= charts.MAX_BARS
    assert sum(int(value) for _, value in long.rows) == 6


def test_average_over_time_is_the_running_average() -> None:
    series = [store.DayCount("2026-01-01", 2, 10), store.DayCount("2026-01-02", 2, 2)]
    chart = charts.average_over_time(series, "Average")
    assert chart.rows == [("2026-01-01", "5.00"), ("2026-01-02", "3.00")]
    assert charts.average_over_time([], "Average").empty


def test_distribution_chart_lists_five_stars_first_with_shares() -> None:
    chart = charts.distribution((1, 0, 0, 1, 2), "Ratings")
    assert chart.rows[0] == ("5 stars", "2 (50%)") and chart.rows[-1] == ("1 star", "1 (25%)")


def test_site_form_parses_a_full_form() -> None:
    form = site_form.parse_site_form(
        {
            "name": "Blog",
            "origins": "https://Blog.Example.org/\nhttp://localhost:4000, https://blog.example.org",
            "threshold": "3",
            "reasons": "too-long unclear too-long",
            "languages": "en SK",
            "schema": "TechArticle",
            "hide_average": "on",
        },
        {"en": "thanks = Cheers\nvotes.one = {n} reader\nvotes.other = {n} readers"},
    )
    assert form.problems == {}
    assert form.origins == ["https://blog.example.org", "http://localhost:4000"]
    assert form.settings == {
        "threshold": 3,
        "reasons": ["too-long", "unclear"],
        "texts": {
            "en": {"thanks": "Cheers", "votes": {"one": "{n} reader", "other": "{n} readers"}}
        },
        "schema": "TechArticle",
        "hide_average": True,
        "languages": ["en", "sk"],
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"origins": "https://a.example/path"}, "origins"),
        ({"origins": "ftp://a.example"}, "origins"),
        ({"threshold": "0"}, "threshold"),
        ({"reasons": "too!long"}, "reasons"),
        ({"languages": "english!"}, "languages"),
        ({"schema": "Thing"}, "schema"),
    ],
)
def test_site_form_names_the_bad_field(values: dict[str, str], field: str) -> None:
    form = site_form.parse_site_form({"name": "Blog", "threshold": "2", **values}, {})
    assert field in form.problems


def test_site_form_refuses_unknown_text_keys_and_languages() -> None:
    assert "texts" in site_form.parse_site_form({"name": "B"}, {"en": "nope = x"}).problems
    assert "texts" in site_form.parse_site_form({"name": "B"}, {"e n": "thanks = x"}).problems
    own = site_form.parse_site_form({"name": "B", "reasons": "slow"}, {"en": "reason_slow = Slow"})
    assert own.problems == {}


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("fine") == "fine" and csv_cell(None) == "" and csv_cell(3) == 3


def test_bayesian_score_prefers_many_good_votes_over_one_perfect(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "score.db"))
    seed = Seeder(settings)
    seed.site("s")
    seed.votes("s", "tested", [5] * 40 + [4] * 10)
    seed.votes("s", "lucky", [5])
    seed.votes("s", "poor", [2] * 30)
    seed.close()

    async def ranked() -> tuple[store.SiteStats, list[store.PostRow]]:
        reader = await connect_reader(settings.db)
        try:
            stats = await store.site_stats(reader, "s")
            rows, total = await store.ranked_posts(reader, "s", stats)
            assert total == 3
            return stats, rows
        finally:
            await reader.close()

    stats, rows = asyncio.run(ranked())
    assert [row.post for row in rows] == ["tested", "lucky", "poor"]
    # C = 81 votes / 3 rated posts = 27; m = site mean.
    assert stats.prior_weight == pytest.approx(27.0)
    expected = (27 * stats.prior_mean + 5) / (27 + 1)
    assert rows[1].score == pytest.approx(expected)
    assert rows[1].average == 5.0


async def test_seed_demo_writes_exact_aggregates(tmp_path: Path) -> None:
    from widget.actions.demo_data import seed_demo
    from widget.store.sqlite.writer import connect_sync

    data = await store.open_store(str(tmp_path / "demo.db"))
    try:
        report = await seed_demo(data, posts=60, votes=900)
        assert report.votes == 900 and report.feedback > 0
        assert await data.recompute() == []  # posts rows match the votes exactly
    finally:
        await data.close()
    conn = connect_sync(str(tmp_path / "demo.db"))
    total = conn.execute("SELECT sum(votes) FROM posts").fetchone()[0]
    daily = conn.execute("SELECT sum(votes) FROM daily").fetchone()[0]
    assert total == daily == 900
    conn.close()
