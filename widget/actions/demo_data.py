"""Demo data for trying the dashboard: two sites, a few hundred posts, thousands of votes.

Deterministic (a fixed random seed), spread over the last 120 days, written through the same
store methods as real votes, so aggregates, daily rows and feedback are exactly as the
service would have made them. Used by `rating-widget seed-demo`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable
from dataclasses import dataclass

from widget.models import FeedbackInput, Site, VoteInput
from widget.store import Store

DAY = 86400.0
SEED_BATCH = 500  # votes handed to the writer at once: about one batch of its

SITES = (
    Site("field-notes", "Field Notes", (), {"threshold": 2, "languages": ["en", "de"]}),
    Site("handbook", "Operator Handbook", (), {"threshold": 3, "schema": "TechArticle"}),
)
_OPENINGS = (
    "Lessons in",
    "Why we",
    "A field guide to",
    "Notes on",
    "Getting started with",
    "Ten lessons from",
    "What nobody tells you about",
    "Understanding",
    "A week of",
    "Mistakes I made",
)
# Each site has its own subjects and its own kind of reader complaints, by reason.
_SUBJECTS = {
    "field-notes": (
        "packing light for alpine huts",
        "sourdough at altitude",
        "night photography of the Milky Way",
        "reading topographic maps",
        "cold-weather camping",
        "river crossings",
        "choosing a rain jacket",
        "keeping a trail journal",
        "bike-packing the Danube",
        "planning a hut-to-hut trek",
        "winter hiking in the Tatras",
        "water filters on long trails",
    ),
    "handbook": (
        "backing up a SQLite database",
        "rotating TLS certificates",
        "tuning PostgreSQL autovacuum",
        "migrating cron jobs to systemd timers",
        "load-testing a small API",
        "self-hosting email",
        "on-call handovers",
        "debugging slow DNS",
        "log retention",
        "writing release notes",
    ),
}
_FEEDBACK = {
    "field-notes": {
        "unclear": (
            "I could not tell which fork of the trail you took after the bridge.",
            "A map of the route would help a lot.",
        ),
        "incomplete": (
            "How much water did you carry? That is what I came for.",
            "Please add the hut opening times and prices.",
        ),
        "outdated": (
            "The trail was rerouted in spring; the description no longer matches.",
            "That hut closed last year.",
        ),
        "incorrect": (
            "The elevation is 2,470 m, not 2,740 m.",
            "The bus from the trailhead leaves at 16:40, not 17:40.",
        ),
        "other": (
            "Lovely photos, but the page is very slow on my phone.",
            "Could you link the previous part?",
        ),
    },
    "handbook": {
        "unclear": (
            "The steps jump around. Which command comes first?",
            "Too much jargon for someone new to on-call.",
        ),
        "incomplete": (
            "You never say what to do when the restore fails halfway.",
            "Please add an example with real numbers.",
        ),
        "outdated": (
            "This flag was removed two versions ago.",
            "The screenshots show the old admin interface.",
        ),
        "incorrect": (
            "Step 4 deletes the wrong directory! Careful.",
            "The cron expression runs hourly, not daily.",
        ),
        "other": (
            "Great read. A printable checklist would be nice.",
            "Could you cover the same for MySQL?",
        ),
    },
}


@dataclass(frozen=True)
class SeedReport:
    sites: int
    posts: int
    votes: int
    feedback: int


def _titles(rng: random.Random, subjects: tuple[str, ...], count: int) -> list[str]:
    """Titles from an opening and a subject; a repeated pair becomes a series (part 2, 3...)."""
    seen: dict[str, int] = {}
    titles: list[str] = []
    while len(titles) < count:
        title = f"{rng.choice(_OPENINGS)} {rng.choice(subjects)}"
        seen[title] = seen.get(title, 0) + 1
        titles.append(title if seen[title] == 1 else f"{title}, part {seen[title]}")
    return titles


def _slug(title: str, index: int) -> str:
    words = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).split("-")
    return "-".join(w for w in words if w)[:60] + f"-{index}"


async def seed_demo(data: Store, posts: int = 300, votes: int = 8000) -> SeedReport:
    """Add the demo sites and their data, through the store like any vote and feedback."""
    rng = random.Random(20261124)
    now = time.time()
    for site in SITES:
        if not await data.site_exists(site.slug):
            await data.create_site(site, author="seed-demo")
    made_votes = made_feedback = 0
    per_site = {SITES[0].slug: posts * 2 // 3, SITES[1].slug: posts - posts * 2 // 3}
    for site_slug, count in per_site.items():
        titles = _titles(rng, _SUBJECTS[site_slug], count)
        complaints = _FEEDBACK[site_slug]
        # A few posts collect most votes, as on any real site (Pareto-shaped popularity).
        weights = [rng.paretovariate(1.2) for _ in titles]
        quality = [min(4.9, max(1.3, rng.gauss(3.8, 0.7))) for _ in titles]
        site_votes = votes * count // posts
        chosen = rng.choices(range(count), weights=weights, k=site_votes)
        # More votes lately; cast in time order, as they would have arrived.
        times = sorted(now - rng.random() ** 1.5 * 120 * DAY for _ in chosen)
        pending: list[Awaitable[object]] = []
        later: list[tuple[FeedbackInput, str, float, str | None]] = []
        for n, (index, when) in enumerate(zip(chosen, times, strict=True)):
            rating = min(5, max(1, round(rng.gauss(quality[index], 0.9))))
            post = _slug(titles[index], index)
            vote = VoteInput(
                site_slug,
                post,
                f"seed-{n:08d}",
                rating,
                titles[index],
                f"https://{site_slug}.example.org/{post}/",
            )
            pending.append(data.cast_vote(vote, f"seed{site_slug}{n:08d}", when, None))
            if len(pending) >= SEED_BATCH:  # a writer batch's worth at a time, in order
                await asyncio.gather(*pending)
                pending.clear()
            made_votes += 1
            if rng.random() < (0.25 if rating <= 2 else 0.01):
                reason = rng.choice(tuple(complaints))
                text = rng.choice(complaints[reason])
                item = FeedbackInput(site_slug, post, "seed", text, rating, reason, "en")
                roll = rng.random()
                status = "done" if roll < 0.2 else "planned" if roll < 0.3 else None
                later.append((item, f"seed{n}", when, status if when < now - 7 * DAY else None))
        await asyncio.gather(*pending)
        for item, key, when, status in later:
            feedback_id = await data.add_feedback(item, key, "new", 0.0, when + 30, None)
            made_feedback += 1
            if status:
                await data.triage_feedback(
                    [feedback_id], [site_slug], when + DAY, status, None, None
                )
    return SeedReport(len(SITES), posts, made_votes, made_feedback)
